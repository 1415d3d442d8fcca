// Package orchestrator reads the cluster that placed containers on this node —
// Mesos masters and Marathon — into model.Cluster values, following the
// leader, and matches cluster tasks to local containers.
package orchestrator
