package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/tesoro-pact/tesoro/accounts"
	"github.com/tesoro-pact/tesoro/catalog"
	"github.com/tesoro-pact/tesoro/programme"
)

// The demo's training records: members of three initiatives (added when
// the initiative has none of that name), and courses by SENA, COMFABOY and
// CENSA with their enrolments (completed, enrolled, dropped) and a count
// line of minors, who are never named. Idempotent: a course whose name is
// listed already is left alone.

type demoMember struct {
	catalog.Member
	Status string // in the initiative's course
}

type demoCourse struct {
	programme.CourseInput
	Initiative string // its participating initiative, by name
	Members    []demoMember
	Minors     []programme.EnrolmentInput // count lines
}

var demoCourses = []demoCourse{
	{CourseInput: programme.CourseInput{Partner: "sena", Name: "Manipulación de alimentos", Area: "gastronomy", Hours: 40,
		StartsOn: "2026-07-06", EndsOn: "2026-08-14", Municipality: "Mongua", Venue: "Casa de la cultura"},
		Initiative: "Panadería de Papa La Monguana",
		Members: []demoMember{
			{catalog.Member{Name: "Rosa Elvira Cárdenas", Role: "lideresa", Sex: "female", AgeGroup: "adult", BirthYear: 1979}, programme.EnrolCompleted},
			{catalog.Member{Name: "Luz Dary Pérez", Role: "panadera", Sex: "female", AgeGroup: "youth"}, programme.EnrolCompleted},
			{catalog.Member{Name: "Jorge Eliécer Mesa", Role: "panadero", Sex: "male", AgeGroup: "adult"}, programme.EnrolDropped},
		},
		Minors: []programme.EnrolmentInput{{Kind: programme.KindCount, Sex: "female", Minors: true, Count: 6, Status: programme.EnrolCompleted},
			{Kind: programme.KindCount, Sex: "male", Minors: true, Count: 4, Status: programme.EnrolCompleted}}},
	{CourseInput: programme.CourseInput{Partner: "comfaboy", Name: "Belleza y peluquería", Area: "beauty", Hours: 120,
		StartsOn: "2026-09-07", EndsOn: "2027-02-26", Municipality: "Sogamoso", Venue: "Sede COMFABOY Sogamoso"},
		Initiative: "Belleza y Estilo Sogamoso",
		Members: []demoMember{
			{catalog.Member{Name: "Yesenia Patricia Rincón", Role: "estilista", Sex: "female", AgeGroup: "youth"}, programme.EnrolEnrolled},
			{catalog.Member{Name: "Marta Lucía Niño", Role: "socia", Sex: "female", AgeGroup: "adult", BirthYear: 1985}, programme.EnrolEnrolled},
		},
		Minors: []programme.EnrolmentInput{{Kind: programme.KindCount, Sex: "female", AgeGroup: "adult", Count: 5, Status: programme.EnrolEnrolled}}},
	{CourseInput: programme.CourseInput{Partner: "censa", Name: "Sistemas básicos y manejo de redes sociales", Area: "computers", Hours: 60,
		StartsOn: "2026-04-13", EndsOn: "2026-06-26", Municipality: "Segovia", Venue: "Institución Educativa Liceo Segovia"},
		Initiative: "Arepas de Maíz Segoviana",
		Members: []demoMember{
			{catalog.Member{Name: "Nubia Estela Zapata", Role: "lideresa", Sex: "female", AgeGroup: "adult"}, programme.EnrolCompleted},
			{catalog.Member{Name: "Andrés Felipe Restrepo", Role: "ventas", Sex: "male", AgeGroup: "youth"}, programme.EnrolCompleted},
		},
		Minors: []programme.EnrolmentInput{{Kind: programme.KindCount, Sex: "male", Minors: true, Count: 3, Status: programme.EnrolDropped}}},
}

// loadDemoTraining records the demo courses not recorded yet.
func loadDemoTraining(ctx context.Context, d demoDeps, out io.Writer) error {
	if d.training == nil {
		return nil
	}
	page, err := d.training.Courses(ctx, accounts.System, "", "", 100)
	if err != nil {
		return err
	}
	added := 0
	for _, dc := range demoCourses {
		if slices.ContainsFunc(page.Items, func(s programme.CourseSummary) bool { return s.Name == dc.Name }) {
			continue
		}
		ini, err := d.catalog.InitiativeBySlug(ctx, catalog.Slugify(dc.Initiative))
		if err != nil {
			return fmt.Errorf("%s: %w", dc.Initiative, err)
		}
		members, err := d.catalog.Members(ctx, accounts.System, ini.ID)
		if err != nil {
			return err
		}
		in := dc.CourseInput
		in.InitiativeIDs = []string{ini.ID}
		c, err := d.training.CreateCourse(ctx, accounts.System, in)
		if err != nil {
			return fmt.Errorf("%s: %w", dc.Name, err)
		}
		for _, dm := range dc.Members {
			i := slices.IndexFunc(members, func(m catalog.Member) bool { return m.Name == dm.Name })
			var m catalog.Member
			if i >= 0 {
				m = members[i]
			} else if m, err = d.catalog.AddMember(ctx, accounts.System, ini.ID, dm.Member); err != nil {
				return fmt.Errorf("%s: %w", dm.Name, err)
			}
			if _, err := d.training.Enrol(ctx, accounts.System, c.ID, programme.EnrolmentInput{Kind: programme.KindMember,
				InitiativeID: ini.ID, MemberID: m.ID, Status: dm.Status}); err != nil {
				return fmt.Errorf("%s in %s: %w", dm.Name, dc.Name, err)
			}
		}
		for _, line := range dc.Minors {
			if _, err := d.training.Enrol(ctx, accounts.System, c.ID, line); err != nil {
				return fmt.Errorf("a count line of %s: %w", dc.Name, err)
			}
		}
		added++
	}
	if added > 0 {
		fmt.Fprintf(out, "tesoro: demo training loaded (%d courses)\n", added)
	}
	return nil
}
