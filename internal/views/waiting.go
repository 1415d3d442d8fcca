package views

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// Why Marathon cannot place an app: its launch queue entry counts the
// offers it declined by reason (Marathon 1.4 on), which this file turns
// into words that name what of the app explains each reason.

// AttentionWaiting: an app in Marathon's launch queue this long whose
// last offer was declined waits for an offer that fits; before, it is
// only being launched.
const AttentionWaiting = time.Minute

// waiting says whether an app waits for an offer that fits: in the queue
// for AttentionWaiting, not held back by its backoff, and its last offer
// declined (or none came). A Marathon before 1.4, which says neither
// since when nor what became of its offers, gives only its delay.
func waiting(a *model.App, now time.Time) bool {
	q := a.Queue
	if q == nil || q.Count <= 0 || !q.Overdue || q.Offers == nil {
		return false
	}
	if !q.Since.IsZero() && now.Sub(q.Since) < AttentionWaiting {
		return false
	}
	o := q.Offers
	return o.Processed == 0 || o.Unused > 0 && (o.LastUsedAt.IsZero() || !o.LastUnusedAt.Before(o.LastUsedAt))
}

// waitingWords is the attention of an app that waits for an offer:
// "waiting: 8/12 offers UnfulfilledConstraint (hostname UNIQUE), 4/4
// InsufficientPorts (6379)", the steps of the funnel that declined the
// last offer of each agent, each with what of the app explains it; "" for
// an app that does not wait. An app of a Marathon before 1.4 that runs
// below its instances and is not held back waits too, and the words say
// that no more is known.
func waitingWords(a *model.App, now time.Time) string {
	q := a.Queue
	if q != nil && q.Offers == nil && q.Count > 0 && q.Overdue && a.TasksRunning < a.Instances {
		return "waiting (no offer summary before Marathon 1.4)"
	}
	if !waiting(a, now) {
		return ""
	}
	o := q.Offers
	if o.Processed == 0 {
		w := "waiting: no offer"
		if !q.Since.IsZero() {
			w += " in " + span(now.Sub(q.Since))
		}
		return w
	}
	var parts []string
	for i, st := range declining(o) {
		p := strconv.Itoa(st.Declined) + "/" + strconv.Itoa(st.Processed) + " "
		if i == 0 {
			p += "offers "
		}
		p += st.Reason
		if e := explain(a, st.Reason); e != "" {
			p += " (" + e + ")"
		}
		parts = append(parts, p)
	}
	if len(parts) == 0 {
		return fmt.Sprintf("waiting: %d/%d offers declined", o.Unused, o.Processed)
	}
	return "waiting: " + strings.Join(parts, ", ")
}

// declining are the steps that declined offers: of the last offers of
// each agent, else of the whole launch attempt.
func declining(o *model.OfferSummary) []model.OfferStep {
	for _, steps := range [][]model.OfferStep{o.LastOffers, o.Attempt} {
		var out []model.OfferStep
		for _, st := range steps {
			if st.Declined > 0 {
				out = append(out, st)
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// topDecline is the reason that declined the most offers, "" for none.
func topDecline(o *model.OfferSummary) string {
	top := model.OfferStep{}
	for _, st := range declining(o) {
		if st.Declined > top.Declined {
			top = st
		}
	}
	return top.Reason
}

// explain names what of the app a reason of Marathon's funnel
// (NoOfferMatchReason) holds against: its constraints, the ports or
// resources it asks, the roles it accepts. "" when the app says nothing
// more.
func explain(a *model.App, reason string) string {
	n := a.Queue.Needs
	size := func(what string, mb float64) string {
		if mb <= 0 {
			return ""
		}
		return what + " " + HumanBytes(mb*(1<<20))
	}
	switch reason {
	case "UnfulfilledConstraint", "UnmatchedConstraint":
		var cs []string
		for _, c := range a.Constraints {
			cs = append(cs, strings.ReplaceAll(c, ":", " "))
		}
		return strings.Join(cs, "; ")
	case "InsufficientPorts":
		var ps []string
		for _, p := range a.Ports {
			ps = append(ps, strings.TrimSuffix(p, "/tcp"))
		}
		switch {
		case len(ps) > 0 && n.AnyPorts > 0:
			return strings.Join(ps, ", ") + fmt.Sprintf(" and %d more", n.AnyPorts)
		case len(ps) > 0:
			return strings.Join(ps, ", ")
		case n.AnyPorts == 1:
			return "1 port"
		case n.AnyPorts > 1:
			return strconv.Itoa(n.AnyPorts) + " ports"
		}
	case "InsufficientCpus":
		if n.CPUs > 0 {
			return "cpus " + strconv.FormatFloat(n.CPUs, 'f', -1, 64)
		}
	case "InsufficientMemory":
		return size("mem", n.MemMB)
	case "InsufficientDisk":
		return size("disk", n.DiskMB)
	case "InsufficientGpus":
		if n.GPUs > 0 {
			return "gpus " + strconv.FormatFloat(n.GPUs, 'f', -1, 64)
		}
	case "UnfulfilledRole":
		if len(n.Roles) > 0 {
			return "roles " + strings.Join(n.Roles, ", ")
		}
	case "NoCorrespondingReservationFound":
		if n.Resident {
			return "its persistent volumes' reservation"
		}
	}
	return ""
}

// span is a duration in the attention's words: "45s", "10m", "3h".
func span(d time.Duration) string {
	d = max(d, 0)
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	default:
		return strconv.Itoa(int(d.Hours())) + "h"
	}
}

// offerValues are an app's offers_processed, offers_declined and
// decline_reason: nil where the queue does not hold it or its Marathon
// gives no summary.
func offerValues(a *model.App) (processed, declined, reason any) {
	if a.Queue == nil || a.Queue.Offers == nil {
		return nil, nil, nil
	}
	o := a.Queue.Offers
	return float64(o.Processed), float64(o.Unused), text(topDecline(o))
}

// launchQueue writes an app's entry in the launch queue for its details:
// what it still has to launch, since when, and the offers' funnel step by
// step; nothing when the queue does not hold it.
func (b *detailsWriter) launchQueue(a *model.App, now time.Time) {
	q := a.Queue
	if q == nil {
		return
	}
	l := fmt.Sprintf("%d to launch", q.Count)
	if !q.Since.IsZero() {
		l += ", since " + q.Since.Format(time.RFC3339) + " (" + ago(q.Since, now) + ")"
	}
	if q.Overdue {
		l += ", waiting for offers"
	} else {
		l += ", held back by its backoff " + Duration(q.DelayS) + " more"
	}
	b.kv("queued", l)
	o := q.Offers
	if o == nil {
		b.kv("offers", "this Marathon gives no offer summary (before 1.4): only its delay is known")
		return
	}
	l = fmt.Sprintf("%d processed, %d declined", o.Processed, o.Unused)
	if !o.LastUnusedAt.IsZero() {
		l += ", last declined " + ago(o.LastUnusedAt, now)
	}
	if !o.LastUsedAt.IsZero() {
		l += ", last used " + ago(o.LastUsedAt, now)
	}
	b.kv("offers", l)
	for _, st := range o.LastOffers {
		l := fmt.Sprintf("%d of %d declined", st.Declined, st.Processed)
		if e := explain(a, st.Reason); e != "" && st.Declined > 0 {
			l += ": " + e
		}
		b.kv("  "+st.Reason, l)
	}
}
