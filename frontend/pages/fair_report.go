package pages

import (
	"errors"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/tesoro-pact/tesoro/colombia"
	"github.com/tesoro-pact/tesoro/errs"
	"github.com/tesoro-pact/tesoro/fairs"
	"github.com/tesoro-pact/tesoro/frontend/kit"
)

// A fair's report on one page: totals, sales per hour as an SVG chart drawn
// here (no chart library on the phone), and each initiative's sales with
// its cash closing, so an adviser sees every closing of the fair at once.
// The organiser and admins see every initiative; a producer, her own.

func (s *Pages) routesFairReport(app fiber.Router) {
	app.Get("/ferias/:id/informe", noStore, s.fairReportPage)
}

func fairReportPath(fairID string) string { return "/ferias/" + fairID + "/informe" }

// hourChart is the sales-per-hour chart: bars in a 320×150 box.
type hourChart struct {
	Bars  []hourBar
	Max   int64
	Label string // for screen readers: the figures in words
}

type hourBar struct {
	X, Y, W, H   int
	Hour         string // "9"
	Sales        int64
	LabelX, TopY int
}

// Chart geometry: the bars stand on a baseline, with the hour below and
// the count above each.
const (
	chartW, chartH = 320, 150
	chartBase      = 128
	chartTop       = 18
)

func newHourChart(hours []fairs.HourSales) hourChart {
	var ch hourChart
	if len(hours) == 0 {
		return ch
	}
	// Every hour from the first sale's to the last's, empty ones too.
	counts := map[time.Time]int64{}
	for _, h := range hours {
		counts[h.Hour] = h.Sales
		ch.Max = max(ch.Max, h.Sales)
	}
	first, last := hours[0].Hour, hours[len(hours)-1].Hour
	var span []time.Time
	for t := first; !t.After(last) && len(span) < 48; t = t.Add(time.Hour) {
		span = append(span, t)
	}
	slot := chartW / len(span)
	w := max(4, slot*3/4)
	for i, t := range span {
		n := counts[t]
		h := 0
		if ch.Max > 0 {
			h = int(n * (chartBase - chartTop) / ch.Max)
		}
		x := i*slot + (slot-w)/2
		ch.Bars = append(ch.Bars, hourBar{X: x, Y: chartBase - h, W: w, H: h, Hour: strconv.Itoa(t.In(colombia.Zone).Hour()),
			Sales: n, LabelX: x + w/2, TopY: chartBase - h - 4})
	}
	return ch
}

type fairReportData struct {
	Fair    fairItem
	Report  fairs.Report
	Chart   hourChart
	Methods []string
	API     string
}

func (s *Pages) fairReportPage(c *fiber.Ctx) error {
	p := kit.Principal(c)
	if p == nil {
		return toSignIn(c, fairReportPath(c.Params("id")))
	}
	ctx := c.UserContext()
	f, err := s.Fairs.Fair(ctx, c.Params("id"))
	if errors.Is(err, errs.NotFound) {
		return fiber.ErrNotFound
	}
	if err != nil {
		return err
	}
	r, err := s.Fairs.Report(ctx, p, f.ID)
	if err != nil {
		return err
	}
	d := fairReportData{Report: r, Chart: newHourChart(r.Hours), Methods: fairs.Methods, API: "/api/v1/fairs/" + f.ID + "/report",
		Fair: fairItemOf(f)}
	l := s.tmpl.localizer(c)
	d.Chart.Label = l.T("report.chart.label", "N", r.Total.Sales, "Hours", len(d.Chart.Bars))
	return s.render(c, fiber.StatusOK, "fair_report", "report.title", d)
}
