package model

import "time"

// LaunchQueue is an app's entry in Marathon's launch queue (/v2/queue):
// the instances it still has to launch, its backoff, and, from Marathon
// 1.4 on, what became of the offers Mesos made it, which says why it
// waits (an unmet constraint, too few ports or CPUs on every agent).
type LaunchQueue struct {
	// Count is how many instances it still has to launch (started ones
	// that are not running yet included).
	Count int `json:"count"`
	// Since is when the launch began; zero before Marathon 1.4.
	Since time.Time `json:"since,omitzero"`
	// Overdue says it waits on offers; false: its backoff delay holds it
	// back DelayS more seconds.
	Overdue bool    `json:"overdue"`
	DelayS  float64 `json:"delay_s"`
	// Offers is processedOffersSummary; nil from a Marathon that gives
	// none (before 1.4): then only the delay is known.
	Offers *OfferSummary `json:"offers,omitempty"`
	// Needs is what its definition asks of an offer, to name what in it
	// the declined offers lacked.
	Needs AppNeeds `json:"needs"`
}

// OfferSummary is Marathon's count of the offers it processed for one
// launch attempt of an app, and of why it declined them.
type OfferSummary struct {
	// Processed and Unused are processedOffersCount and
	// unusedOffersCount: the offers processed in this launch attempt, and
	// those of them it could not use.
	Processed int `json:"processed"`
	Unused    int `json:"unused"`
	// When the last offer was declined, and the last one used.
	LastUnusedAt time.Time `json:"last_unused_at,omitzero"`
	LastUsedAt   time.Time `json:"last_used_at,omitzero"`
	// LastOffers is rejectSummaryLastOffers: the last offer of each agent,
	// each counted under the first reason of Marathon's funnel that
	// declined it, in the funnel's order (a step processes what the steps
	// before it let through). Attempt is rejectSummaryLaunchAttempt, the
	// same over every offer of the launch attempt.
	LastOffers []OfferStep `json:"last_offers,omitempty"`
	Attempt    []OfferStep `json:"attempt,omitempty"`
}

// OfferStep is one reason of the funnel: of Processed offers, Declined
// were declined for Reason (UnfulfilledConstraint, InsufficientPorts…).
type OfferStep struct {
	Reason    string `json:"reason"`
	Declined  int    `json:"declined"`
	Processed int    `json:"processed"`
}

// AppNeeds is what an app's definition asks of an offer.
type AppNeeds struct {
	CPUs   float64 `json:"cpus,omitempty"`
	MemMB  float64 `json:"mem_mb,omitempty"`
	DiskMB float64 `json:"disk_mb,omitempty"`
	GPUs   float64 `json:"gpus,omitempty"`
	// Roles are the roles whose resources it accepts
	// (acceptedResourceRoles, else its role); empty: any.
	Roles []string `json:"roles,omitempty"`
	// AnyPorts is how many host ports it needs where any free one will
	// do (its fixed ones are the app's Ports).
	AnyPorts int `json:"any_ports,omitempty"`
	// Resident says it has persistent volumes: only an offer of its own
	// reservation fits.
	Resident bool `json:"resident,omitempty"`
}
