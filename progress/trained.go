package progress

import (
	"context"

	"github.com/tesoro-pact/tesoro/accounts"
)

// People trained by the programme's partners (SENA, CENSA, COMFABOY, Pact,
// Fundación Mi Sangre): the training records live in package programme,
// which imports this one, so their counts come in through
// Options.Trained and feed the indicators people_trained and
// people_in_training with their disaggregations (sex, age group,
// municipality, department, partner, area).

// Dimensions of the training counts besides the places, sex and age group.
const (
	DimPartner = "partner" // sena, censa, comfaboy, pact, mi_sangre
	DimArea    = "area"    // gastronomy, beauty, electricity, computers…
)

// TrainedCounts are the people of a period's courses, by what became of
// their enrolment.
type TrainedCounts struct {
	Period string `json:"period"`
	// Completed: completed enrolments of the courses that ended in the period.
	Completed TrainedFigures `json:"completed"`
	// Enrolled: enrolled or completed enrolments of the courses running
	// at some time of the period.
	Enrolled TrainedFigures `json:"enrolled"`
	// Dropped: dropped enrolments of the courses running in the period.
	Dropped TrainedFigures `json:"dropped"`
	// Courses running at some time of the period.
	Courses int64 `json:"courses"`
}

// TrainedFigures counts people: a total, the minors among them (counted,
// never named), and each dimension's categories (sex: women, men; age
// group: youth, adults; places by name; partners and areas by code).
type TrainedFigures struct {
	Total  int64                       `json:"total"`
	Minors int64                       `json:"minors"`
	By     map[string]map[string]int64 `json:"by"`
}

// NewTrainedFigures is an empty count with every dimension present.
func NewTrainedFigures() TrainedFigures {
	by := map[string]map[string]int64{}
	for _, d := range Dimensions {
		by[d] = map[string]int64{}
	}
	return TrainedFigures{By: by}
}

// Add counts n people of the categories cats (dimension → category).
func (f *TrainedFigures) Add(n int64, minors bool, cats map[string]string) {
	f.Total += n
	if minors {
		f.Minors += n
	}
	for d, c := range cats {
		if f.By[d] == nil {
			f.By[d] = map[string]int64{}
		}
		f.By[d][c] += n
	}
}

// TrainedFunc answers the training counts of a period ("2026-Q3", "2026")
// over what p sees.
type TrainedFunc func(ctx context.Context, p *accounts.Principal, period string) (TrainedCounts, error)

// trainingIndicator is a training indicator's total and disaggregations.
func trainingIndicator(code string, c TrainedCounts) (int64, map[string]map[string]int64) {
	f := c.Completed
	if code == "people_in_training" {
		f = c.Enrolled
	}
	dis := map[string]map[string]int64{}
	for _, d := range Dimensions {
		dis[d] = map[string]int64{}
		for k, v := range f.By[d] {
			dis[d][k] = v
		}
	}
	return f.Total, dis
}

// isTrainingIndicator says whether an indicator is counted from the training records.
func isTrainingIndicator(code string) bool {
	return code == "people_trained" || code == "people_in_training"
}
