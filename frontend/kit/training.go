package kit

import (
	"context"
	"log/slog"
)

// ForgetMember takes a member removed from her initiative out of the
// training records (her certificates deleted, her enrolments left with the
// counts only). A failure is logged: the removal itself has happened.
func (d Deps) ForgetMember(ctx context.Context, initiativeID, memberID string) {
	if d.Training == nil {
		return
	}
	if err := d.Training.ForgetMember(ctx, initiativeID, memberID); err != nil {
		slog.ErrorContext(ctx, "training records of a removed member not forgotten", "initiative", initiativeID, "err", err)
	}
}
