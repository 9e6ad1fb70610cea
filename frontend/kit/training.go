package kit

import (
	"context"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/programme"
)

// RemoveMember takes a member off her initiative and out of the training
// records first (her certificates deleted, her enrolments left with the
// counts only): a failure there keeps her, so the removal is retried whole.
func (d Deps) RemoveMember(c *fiber.Ctx, p *accounts.Principal, initiativeID, memberID string) error {
	var forget func(context.Context) error
	if d.Training != nil {
		forget = func(ctx context.Context) error { return d.Training.ForgetMember(ctx, initiativeID, memberID) }
	}
	if err := d.Catalog.RemoveMember(c.UserContext(), p, initiativeID, memberID, forget); err != nil {
		return err
	}
	_ = d.Accounts.Audit.Record(c.UserContext(), accounts.AuditEntry{ActorID: p.UserID, Action: "member_removed",
		TargetKind: "initiative", TargetID: initiativeID, IP: c.IP(), Details: map[string]string{"member": memberID}})
	return nil
}

// MemberData is everything Tesoro holds about a member of an initiative
// (Ley 1581): her record, her courses and the commitment she signed.
type MemberData struct {
	InitiativeID string                     `json:"initiative_id"`
	Member       catalog.Member             `json:"member"`
	Training     []programme.MemberTraining `json:"training"`
	Commitment   *SignedCommitment          `json:"commitment_signed,omitempty"`
	ExportedAt   time.Time                  `json:"exported_at"`
}

// SignedCommitment is the child-labour-free commitment a member signed for
// her initiative.
type SignedCommitment struct {
	SignedOn    string `json:"signed_on"`
	TextVersion string `json:"text_version"`
	Text        string `json:"text"`
}

// MemberData gathers a member's personal data for who sees the members of
// her initiative; the export is audited.
func (d Deps) MemberData(c *fiber.Ctx, p *accounts.Principal, initiativeID, memberID string) (MemberData, error) {
	ctx := c.UserContext()
	m, err := d.Catalog.Member(ctx, p, initiativeID, memberID)
	if err != nil {
		return MemberData{}, err
	}
	out := MemberData{InitiativeID: initiativeID, Member: m, Training: []programme.MemberTraining{}, ExportedAt: time.Now().UTC()}
	if d.Training != nil {
		all, err := d.Training.InitiativeTraining(ctx, p, initiativeID)
		if err != nil {
			return MemberData{}, err
		}
		for _, t := range all {
			if t.Enrolment.MemberID == memberID {
				out.Training = append(out.Training, t)
			}
		}
	}
	if d.Commitments != nil {
		cm, err := d.Commitments.Get(ctx, p, initiativeID)
		if err != nil {
			return MemberData{}, err
		}
		if cm != nil && cm.SignedByID == memberID {
			out.Commitment = &SignedCommitment{SignedOn: cm.SignedOn, TextVersion: cm.TextVersion, Text: programme.CommitmentText[cm.TextVersion]}
		}
	}
	_ = d.Accounts.Audit.Record(ctx, accounts.AuditEntry{ActorID: p.UserID, Action: "member_data_exported",
		TargetKind: "initiative", TargetID: initiativeID, IP: c.IP(), Details: map[string]string{"member": memberID}})
	return out, nil
}
