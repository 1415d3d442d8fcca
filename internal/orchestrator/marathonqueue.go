package orchestrator

import (
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ctop-like/ctop-like/internal/httpapi"
	"github.com/ctop-like/ctop-like/internal/model"
)

// marathonQueuePath is the launch queue: apps waiting to launch, their
// backoff, and (Marathon 1.4 on) processedOffersSummary, which counts
// the offers of the launch attempt by why they were declined. It is
// asked without ?embed=lastUnusedOffers: that list holds the last
// offer of every agent (OfferMatchStatistics keeps one per agent, with
// its resources and attributes) for each waiting app, thousands of
// offers on a large cluster, which the summary already counts by reason.
const marathonQueuePath = "/v2/queue"

// marathonQueue is /v2/queue: what waits to launch, and why.
type marathonQueue struct {
	Queue []queueEntry
}

// queueEntry is one app of the queue (pods are skipped: this tool shows
// no pods).
type queueEntry struct {
	AppID  string
	def    appDef
	Count  int
	Delay  *queueDelay
	Since  time.Time
	Offers *model.OfferSummary
}

type queueDelay struct {
	TimeLeftSeconds float64
	Overdue         bool
}

// decodeQueue reads a /v2/queue answer from r as the poller does.
func decodeQueue(r io.Reader) (*marathonQueue, error) {
	var q marathonQueue
	var mr marathonRead
	if err := httpapi.DecodeStream(r, func(s *httpapi.Stream) error { return mr.queue(s, &q) }); err != nil {
		return nil, err
	}
	return &q, nil
}

// delayed lists the apps the launch queue holds back: a delay with time
// left is not overdue (LaunchStats.scala: overdue = no backoff or none left).
func (q *marathonQueue) delayed() map[string]bool {
	out := map[string]bool{}
	for _, e := range q.Queue {
		if e.AppID != "" && e.Delay != nil && !e.Delay.Overdue {
			out[normPath(e.AppID)] = true
		}
	}
	return out
}

// applyQueue sets every app's Delayed, DelayS and Queue from the queue.
// Marathon 1.9 lists an app once per role it launches for: their counts
// add up, the first entry says the rest.
func applyQueue(apps []model.App, q *marathonQueue) {
	byID := make(map[string]*queueEntry, len(q.Queue))
	count := map[string]int{}
	for i := range q.Queue {
		e := &q.Queue[i]
		id := normPath(e.AppID)
		if e.AppID == "" {
			continue
		}
		count[id] += e.Count
		if byID[id] == nil {
			byID[id] = e
		}
	}
	d := q.delayed()
	for i := range apps {
		a := &apps[i]
		v := d[a.ID]
		a.Delayed = &v
		e := byID[a.ID]
		if e == nil {
			continue
		}
		lq := &model.LaunchQueue{Count: count[a.ID], Since: e.Since, Offers: e.Offers, Needs: e.def.needs()}
		if e.Delay != nil {
			lq.Overdue, lq.DelayS = e.Delay.Overdue, max(e.Delay.TimeLeftSeconds, 0)
			if v {
				left := lq.DelayS
				a.DelayS = &left
			}
		} else {
			lq.Overdue = true
		}
		if len(a.Constraints) == 0 {
			a.Constraints = e.def.constraintList()
		}
		if len(a.Ports) == 0 {
			a.Ports = e.def.fixedPorts()
		}
		a.Queue = lq
	}
}

// queue reads /v2/queue.
func (r *marathonRead) queue(s *httpapi.Stream, q *marathonQueue) error {
	return s.EachMember(func(k []byte) error {
		if string(k) != "queue" {
			return s.Skip()
		}
		q.Queue = []queueEntry{}
		return s.EachElement(func() error {
			if over, err := r.over(s); over {
				return err
			}
			var e queueEntry
			err := s.EachMember(func(k []byte) error {
				var err error
				switch string(k) {
				case "app":
					err = s.EachMember(func(k []byte) error {
						if string(k) == "id" {
							var err error
							e.AppID, err = s.String()
							return err
						}
						return e.def.member(s, k)
					})
				case "count":
					var n *int
					n, err = intField(s, "count")
					if n != nil {
						e.Count = *n
					}
				case "delay":
					e.Delay = &queueDelay{}
					err = s.EachMember(func(k []byte) error {
						var err error
						switch string(k) {
						case "timeLeftSeconds":
							e.Delay.TimeLeftSeconds, err = s.Number()
						case "overdue":
							e.Delay.Overdue, err = readBool(s)
						default:
							err = s.Skip()
						}
						return err
					})
				case "since":
					e.Since, err = timeField(s)
				case "processedOffersSummary", "unusedOfferSummary":
					// unusedOfferSummary: Marathon's first shape of the
					// summary (commit f968945, 1.4.0 snapshots).
					if e.Offers == nil {
						e.Offers = &model.OfferSummary{}
					}
					err = readOfferSummary(s, e.Offers)
				default:
					err = s.Skip()
				}
				return err
			})
			if e.AppID != "" && len(q.Queue) < maxTasks {
				q.Queue = append(q.Queue, e)
			}
			return err
		})
	})
}

// maxOfferSteps bounds the reasons kept of one summary (Marathon's
// funnel has ten).
const maxOfferSteps = 32

// readOfferSummary reads processedOffersSummary, or its first shape
// unusedOfferSummary, whose rejectReason is a map of reason to count.
func readOfferSummary(s *httpapi.Stream, o *model.OfferSummary) error {
	var byReason map[string]int
	err := s.EachMember(func(k []byte) error {
		var err error
		var n *int
		switch string(k) {
		case "processedOffersCount", "processedOfferCount":
			n, err = intField(s, string(k))
			if n != nil {
				o.Processed = *n
			}
		case "unusedOffersCount", "unusedOfferCount":
			n, err = intField(s, string(k))
			if n != nil {
				o.Unused = *n
			}
		case "lastUnusedOfferAt":
			o.LastUnusedAt, err = timeField(s)
		case "lastUsedOfferAt":
			o.LastUsedAt, err = timeField(s)
		case "rejectSummaryLastOffers":
			o.LastOffers, err = readOfferSteps(s)
		case "rejectSummaryLaunchAttempt":
			o.Attempt, err = readOfferSteps(s)
		case "rejectReason":
			byReason = map[string]int{}
			err = s.EachMember(func(k []byte) error {
				reason := string(k)
				n, err := intField(s, reason)
				if n != nil && len(byReason) < maxOfferSteps {
					byReason[reason] = *n
				}
				return err
			})
		default:
			err = s.Skip()
		}
		return err
	})
	if o.Attempt == nil && byReason != nil {
		// Counts of all the offers of the attempt, each under one reason,
		// in the order of the funnel Marathon adopted next.
		for _, r := range sortedReasons(byReason) {
			o.Attempt = append(o.Attempt, model.OfferStep{Reason: r, Declined: byReason[r], Processed: o.Processed})
		}
	}
	return err
}

// reasonFunnel is Marathon's order of the reasons to decline an offer
// (NoOfferMatchReason.reasonFunnel): an offer is counted under the first
// that applies. UnmatchedConstraint is the first summary's name of
// UnfulfilledConstraint.
var reasonFunnel = []string{"UnfulfilledRole", "UnfulfilledConstraint", "UnmatchedConstraint", "NoCorrespondingReservationFound",
	"AgentMaintenance", "InsufficientCpus", "InsufficientMemory", "InsufficientDisk", "InsufficientGpus", "InsufficientPorts",
	"DeclinedScarceResources"}

// sortedReasons orders reasons as the funnel does, unknown ones last by name.
func sortedReasons(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for r := range m {
		out = append(out, r)
	}
	rank := func(r string) int {
		if i := slices.Index(reasonFunnel, r); i >= 0 {
			return i
		}
		return len(reasonFunnel)
	}
	slices.SortFunc(out, func(a, b string) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	return out
}

func readOfferSteps(s *httpapi.Stream) ([]model.OfferStep, error) {
	out := []model.OfferStep{}
	err := s.EachElement(func() error {
		var st model.OfferStep
		err := s.EachMember(func(k []byte) error {
			var err error
			var n *int
			switch string(k) {
			case "reason":
				st.Reason, err = s.String()
			case "declined":
				n, err = intField(s, "declined")
				if n != nil {
					st.Declined = *n
				}
			case "processed":
				n, err = intField(s, "processed")
				if n != nil {
					st.Processed = *n
				}
			default:
				err = s.Skip()
			}
			return err
		})
		if st.Reason != "" && len(out) < maxOfferSteps {
			out = append(out, st)
		}
		return err
	})
	return out, err
}

// timeField reads an ISO 8601 time ("2016-02-28T16:41:41.090Z"); zero for
// null or what does not parse.
func timeField(s *httpapi.Stream) (time.Time, error) {
	v, err := s.String()
	if err != nil || v == "" {
		return time.Time{}, err
	}
	t, perr := time.Parse(time.RFC3339Nano, v)
	if perr != nil {
		return time.Time{}, nil
	}
	return t.UTC(), nil
}

// appDef is what this tool reads of an app's definition (in /v2/groups
// and in the queue): its placement constraints, the host ports and the
// resources an offer must have.
type appDef struct {
	constraints  [][]string
	portDefs     []portNeed // portDefinitions, or the old ports
	requirePorts bool
	mappings     []portNeed // container (or container.docker) portMappings
	hostNetwork  bool       // docker.network HOST: portMappings do not apply
	cpus, mem    float64
	disk, gpus   float64
	roles        []string // acceptedResourceRoles
	role         string
	resident     bool
}

// portNeed is a port of a definition: port (or hostPort; -1 when a
// mapping has none: no host port) and protocol ("tcp", "udp,tcp").
type portNeed struct {
	port     int
	protocol string
}

// Bounds of what is kept of one definition.
const (
	maxConstraints = 16
	maxPortNeeds   = 64
)

// member reads one member of an app's definition, k its name; members
// it does not use are skipped.
func (d *appDef) member(s *httpapi.Stream, k []byte) error {
	var err error
	switch string(k) {
	case "constraints":
		err = d.readConstraints(s)
	case "portDefinitions":
		d.portDefs = []portNeed{}
		err = readPorts(s, &d.portDefs, "port")
	case "ports":
		if d.portDefs != nil {
			return s.Skip() // portDefinitions say the same
		}
		err = s.EachElement(func() error {
			n, err := intField(s, "ports")
			if n != nil && len(d.portDefs) < maxPortNeeds {
				d.portDefs = append(d.portDefs, portNeed{port: *n, protocol: "tcp"})
			}
			return err
		})
	case "requirePorts":
		d.requirePorts, err = readBool(s)
	case "container":
		err = d.readContainer(s)
	case "cpus":
		d.cpus, err = s.Number()
	case "mem":
		d.mem, err = s.Number()
	case "disk":
		d.disk, err = s.Number()
	case "gpus":
		d.gpus, err = s.Number()
	case "acceptedResourceRoles":
		err = d.readRoles(s)
	case "role":
		d.role, err = s.String()
	case "residency":
		b, perr := s.Peek()
		if perr != nil {
			return perr
		}
		d.resident = b == '{'
		err = s.Skip()
	default:
		err = s.Skip()
	}
	return err
}

// readConstraints reads an app's constraints, each a list of up to four
// strings ("hostname", "UNIQUE"), at most maxConstraints of them.
func (d *appDef) readConstraints(s *httpapi.Stream) error {
	return s.EachElement(func() error {
		var c []string
		err := s.EachElement(func() error {
			v, err := s.String()
			if len(c) < 4 {
				c = append(c, cut(v, 256))
			}
			return err
		})
		if len(c) > 0 && len(d.constraints) < maxConstraints {
			d.constraints = append(d.constraints, c)
		}
		return err
	})
}

// readContainer reads the host ports of an app's container mappings (the
// container's own, or Docker's before Marathon 1.5) and whether Docker
// runs it on the host's network.
func (d *appDef) readContainer(s *httpapi.Stream) error {
	return s.EachMember(func(k []byte) error {
		switch string(k) {
		case "portMappings":
			return readPorts(s, &d.mappings, "hostPort")
		case "docker":
			return s.EachMember(func(k []byte) error {
				switch string(k) {
				case "portMappings":
					return readPorts(s, &d.mappings, "hostPort")
				case "network":
					v, err := s.String()
					d.hostNetwork = v == "HOST"
					return err
				}
				return s.Skip()
			})
		}
		return s.Skip()
	})
}

// readRoles reads the roles an app accepts resources of (16 at most).
func (d *appDef) readRoles(s *httpapi.Stream) error {
	return s.EachElement(func() error {
		v, err := s.String()
		if v != "" && len(d.roles) < 16 {
			d.roles = append(d.roles, cut(v, 256))
		}
		return err
	})
}

// readPorts reads portDefinitions or portMappings: key names the member
// that holds the host port ("port", "hostPort").
func readPorts(s *httpapi.Stream, out *[]portNeed, key string) error {
	return s.EachElement(func() error {
		p := portNeed{port: -1, protocol: "tcp"}
		err := s.EachMember(func(k []byte) error {
			switch string(k) {
			case key:
				n, err := intField(s, key)
				if n != nil {
					p.port = *n
				}
				return err
			case "protocol":
				v, err := s.String()
				if v != "" {
					p.protocol = cut(v, 16)
				}
				return err
			}
			return s.Skip()
		})
		if len(*out) < maxPortNeeds {
			*out = append(*out, p)
		}
		return err
	})
}

// cut bounds a string from an answer.
func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// constraintList is the constraints as Marathon's UI writes them:
// "hostname:UNIQUE", "rack_id:GROUP_BY:3"; an empty value
// (["hostname", "UNIQUE", ""], Marathon's docs) is no part.
func (d *appDef) constraintList() []string {
	var out []string
	for _, c := range d.constraints {
		parts := slices.DeleteFunc(slices.Clone(c), func(p string) bool { return p == "" })
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, ":"))
		}
	}
	return out
}

// mapped says its container's port mappings give its host ports (bridge
// or container networking), rather than its port definitions.
func (d *appDef) mapped() bool { return len(d.mappings) > 0 && !d.hostNetwork }

// fixedPorts are the host ports an agent must have free for it: mapped
// host ports it names, or its port definitions when it requires them
// (requirePorts).
func (d *appDef) fixedPorts() []string {
	var out []string
	add := func(p portNeed) {
		if p.port > 0 {
			out = append(out, strconv.Itoa(p.port)+"/"+p.protocol)
		}
	}
	switch {
	case d.mapped():
		for _, p := range d.mappings {
			add(p)
		}
	case d.requirePorts:
		for _, p := range d.portDefs {
			add(p)
		}
	}
	return out
}

// needs is what the definition asks of an offer.
func (d *appDef) needs() model.AppNeeds {
	n := model.AppNeeds{CPUs: d.cpus, MemMB: d.mem, DiskMB: d.disk, GPUs: d.gpus, Resident: d.resident}
	n.Roles = d.roles
	if len(n.Roles) == 0 && d.role != "" {
		n.Roles = []string{d.role}
	}
	switch {
	case d.mapped():
		for _, p := range d.mappings {
			if p.port == 0 {
				n.AnyPorts++ // hostPort 0: any free port
			}
		}
	default:
		for _, p := range d.portDefs {
			if !d.requirePorts || p.port == 0 {
				n.AnyPorts++
			}
		}
	}
	return n
}
