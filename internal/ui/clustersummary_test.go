package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/ctop-like/ctop-like/internal/model"
)

// TestClusterDataAgeNeverNegative: under --cluster the cluster's data
// may be read after the refresh's own time was taken; the header said
// "data -4000ms old". It says the age, and 0 when the data is newer.
func TestClusterDataAgeNeverNegative(t *testing.T) {
	now := time.Date(2026, 12, 7, 14, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		read time.Time
		want string
	}{
		{now.Add(-90 * time.Second), "data 1m30s old"},
		{now.Add(-2500 * time.Millisecond), "data 2s old"},
		{now.Add(4 * time.Second), "data 0ms old"},
	} {
		got := clusterSummary(&model.Cluster{Time: tc.read}, now)
		if !strings.Contains(got, tc.want) || strings.Contains(got, "-") {
			t.Errorf("cluster read %v after the refresh: %q, want %q", tc.read.Sub(now), got, tc.want)
		}
	}
}
