package audit

import (
	"net/url"
	"time"
)

// MaxPeriodDays is the longest statistics period (the account service
// allows at most 3653 dates).
const MaxPeriodDays = 3653

// DateLayout is the layout of the statistics dates (YYYY-MM-DD).
const DateLayout = time.DateOnly

// Period is a run of whole days in a time zone: From and To are midnights
// of the first and the last day, both included. A Period with To before From
// is empty.
type Period struct {
	From, To time.Time
}

// Days returns how many days p holds (0 when empty).
func (p Period) Days() int {
	n := 0
	for d := p.From; !d.After(p.To); d = nextDay(d) {
		n++
	}
	return n
}

// Empty reports whether p holds no day.
func (p Period) Empty() bool { return p.To.Before(p.From) }

// StatisticsPeriod validates the from and to parameters of GET /statistics
// for a viewer in loc at time now. Both are dates YYYY-MM-DD; to is
// inclusive ("по которую включительно").
//
// The account service says: with no period the statistics cover the current
// month, from its first day up to the current day, not including it; from
// defaults to the first day of the current month; to defaults to yesterday.
// So the defaults are from = first of this month, to = yesterday, included —
// the only reading under which the endpoint's sentences agree with each other
// and with "to is inclusive" (the parenthesis "не включая его" after
// "yesterday" would otherwise also drop yesterday and contradict the first
// sentence). On the first day of a month the default period is empty.
//
// An explicit to before from is an error naming to; a period longer than
// MaxPeriodDays is an error naming to (or from when to was defaulted).
func StatisticsPeriod(v url.Values, now time.Time, loc *time.Location) (Period, error) {
	today := midnight(now, loc)
	return period(v, today, today.AddDate(0, 0, -1))
}

// ReportPeriod is StatisticsPeriod for GET /statistics/report. The account
// service words its default for to differently: "the current day, not including
// it" — an exclusive bound at today, which is the same last day as
// StatisticsPeriod's inclusive yesterday. Explicit values behave as there:
// to is inclusive.
func ReportPeriod(v url.Values, now time.Time, loc *time.Location) (Period, error) {
	today := midnight(now, loc)
	exclusiveTo := today
	return period(v, today, exclusiveTo.AddDate(0, 0, -1))
}

func period(v url.Values, today, defaultTo time.Time) (Period, error) {
	loc := today.Location()
	p := Period{From: time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, loc), To: defaultTo}
	fromGiven, toGiven := false, false
	var err error
	if p.From, fromGiven, err = dateParam(v, "from", p.From, loc); err != nil {
		return p, err
	}
	if p.To, toGiven, err = dateParam(v, "to", p.To, loc); err != nil {
		return p, err
	}
	if p.Empty() {
		if fromGiven && toGiven {
			return p, paramErr("to", "%s is before from %s", p.To.Format(DateLayout), p.From.Format(DateLayout))
		}
		return p, nil
	}
	// Count by calendar dates, not hours, so DST changes do not matter.
	from := time.Date(p.From.Year(), p.From.Month(), p.From.Day(), 0, 0, 0, 0, time.UTC)
	to := time.Date(p.To.Year(), p.To.Month(), p.To.Day(), 0, 0, 0, 0, time.UTC)
	if days := int(to.Sub(from)/(24*time.Hour)) + 1; days > MaxPeriodDays {
		name := "to"
		if !toGiven {
			name = "from"
		}
		return p, paramErr(name, "period of %d days is longer than %d days", days, MaxPeriodDays)
	}
	return p, nil
}

func dateParam(v url.Values, name string, def time.Time, loc *time.Location) (time.Time, bool, error) {
	s, ok, err := single(v, name)
	if err != nil || !ok {
		return def, false, err
	}
	t, err := time.ParseInLocation(DateLayout, s, loc)
	if err != nil || t.Year() < 1 {
		return def, true, paramErr(name, "must be a date YYYY-MM-DD")
	}
	return t, true, nil
}

func midnight(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc)
}

func nextDay(d time.Time) time.Time {
	return time.Date(d.Year(), d.Month(), d.Day()+1, 0, 0, 0, 0, d.Location())
}
