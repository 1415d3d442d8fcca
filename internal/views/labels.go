package views

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ctop-like/ctop-like/internal/model"
	"github.com/ctop-like/ctop-like/internal/termtext"
)

// Labels (DESIGN.md): a view whose rows carry labels declares a `labels`
// column (colLabels) and sets Row.Labels; any label is then a column by
// its key, `label.KEY`, that no view declares: Rows adds it to the table
// when the filter, the sort or the query's Columns name it. Its value is
// the label's text, nil (null, n/a) when the row lacks the label.

// LabelPrefix begins the id of a label's column: label.team.
const LabelPrefix = "label."

// colLabels is the labels column: "key=value, …" on the screen and in
// tables (cut like any text), a JSON object of strings.
var colLabels = Column{ID: "labels", Title: "LABELS", Width: 24, Priority: 9, Null: "where the row has no label"}

// labelsValue is a row's labels as the labels column holds them: a
// pointer to the snapshot's (immutable) labels, which a value in an
// interface costs no allocation; nil when there are none.
func labelsValue(l *model.Labels) any {
	if l == nil || len(*l) == 0 {
		return nil
	}
	return l
}

// LabelKey is the label a column id names ("team" of label.team); ok is
// false for any other id.
func LabelKey(id string) (key string, ok bool) {
	key, ok = strings.CutPrefix(id, LabelPrefix)
	return key, ok && key != ""
}

// HasLabels says whether the view's rows carry labels (it has a labels
// column), so that label.KEY columns apply.
func (v *View) HasLabels() bool { return v.Col(colLabels.ID) >= 0 }

// LabelColumn is the column of one label. Its title is the key in upper
// case as terminal-safe text (a key comes from outside), at most
// maxLabelTitle cells.
func LabelColumn(key string) Column {
	return Column{ID: LabelPrefix + key, Title: termtext.Line(strings.ToUpper(key), maxLabelTitle), Width: 14, Priority: 9}
}

const maxLabelTitle = 32

// offerable says whether a key is offered as a column (LabelKeys): what
// a terminal shows as written, and short enough to read in a list.
func offerable(key string) bool {
	return len(key) <= 64 && termtext.Line(key, 0) == key
}

// Column is the column with this id: one the view declares, or, on a
// view with labels, a label's.
func (v *View) Column(id string) (Column, bool) {
	if i := v.Col(id); i >= 0 {
		return v.Columns[i], true
	}
	if k, ok := LabelKey(id); ok && v.HasLabels() {
		return LabelColumn(k), true
	}
	return Column{}, false
}

// CheckColumn says why the view has no column id: it declares none, and
// it is no label's or the view has no labels.
func (v *View) CheckColumn(id string) error {
	if _, ok := v.Column(id); ok {
		return nil
	}
	if _, ok := LabelKey(id); ok {
		return fmt.Errorf("view %s has no labels: %q names none", v.ID, id)
	}
	return fmt.Errorf("view %s has no column %q", v.ID, id)
}

// labelValue is the value of a label's column in a row: its text, nil
// when the row lacks the label.
func labelValue(r *Row, key string) any {
	if v, ok := r.Labels.Get(key); ok {
		return v
	}
	return nil
}

// labelColumns are the label columns a query names (its sort, filter and
// Columns), each once, in that order; none on a view without labels.
func labelColumns(v *View, q Query) []string {
	if !v.HasLabels() {
		return nil
	}
	var out []string
	add := func(id string) {
		if _, ok := LabelKey(id); ok && v.Col(id) < 0 && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	for _, id := range q.Columns {
		add(id)
	}
	if q.Filter != nil {
		for _, c := range q.Filter.clauses {
			add(c.col)
		}
	}
	add(q.Sort)
	return out
}

// withLabelColumns adds the label columns ids to the table's columns and
// their values to each row (new Values: the rows' are the cache's).
func withLabelColumns(cols []Column, rows []Row, ids []string) []Column {
	cols = slices.Clip(cols)
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i], _ = LabelKey(id)
		cols = append(cols, LabelColumn(keys[i]))
	}
	for i := range rows {
		r := &rows[i]
		vals := make([]any, len(r.Values), len(r.Values)+len(keys))
		copy(vals, r.Values)
		for _, k := range keys {
			vals = append(vals, labelValue(r, k))
		}
		r.Values = vals
	}
	return cols
}

// LabelKeys are the keys of the labels the rows carry, sorted, at most
// max of them (the column chooser offers them); a key a terminal would
// not show as written (control characters, bidi overrides) or longer
// than 64 bytes is not offered: -f and the settings file still name it.
func LabelKeys(rows []Row, max int) []string {
	seen := map[string]bool{}
	for i := range rows {
		for _, x := range rows[i].Labels {
			if x.Key != model.LabelsMore && !seen[x.Key] && offerable(x.Key) {
				seen[x.Key] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// labelsDetails writes a row's labels one a line, whole (within the
// bounds the model keeps), for the details panel.
func labelsDetails(b *detailsWriter, l model.Labels) {
	if len(l) == 0 {
		b.kv("labels", NA)
		return
	}
	b.WriteString("labels:\n")
	for _, x := range l {
		if x.Key == model.LabelsMore {
			fmt.Fprintf(b, "  %s %s more, not kept\n", model.LabelsMore, x.Value)
			continue
		}
		fmt.Fprintf(b, "  %s=%s\n", x.Key, x.Value)
	}
}

// containerLabels are a container's labels: its runtime's, but
// Kubernetes' io.kubernetes.* plumbing (pod and namespace have it), then
// its task's and app's (ClusterLabels) that the runtime's lack.
func containerLabels(c *model.Container) model.Labels {
	own := model.LabelsOf(c.Labels, kubernetesPlumbing)
	return model.MergeLabels(own, c.ClusterLabels)
}

func kubernetesPlumbing(key string) bool { return strings.HasPrefix(key, "io.kubernetes.") }
