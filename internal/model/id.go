package model

import "strings"

// ShortIDLen is how many characters of a container id name it for a
// person, as `docker ps` shows them, and the shortest prefix that names a
// container (--scope container=, `d` on a process's container).
const ShortIDLen = 12

// ShortID is an id as a person reads it: a long id cut to ShortIDLen
// characters; a cgroup path (a raw container's id holds a "/") is kept
// whole, since its beginning says nothing.
func ShortID(id string) string {
	if len(id) > ShortIDLen && !strings.Contains(id, "/") {
		return id[:ShortIDLen]
	}
	return id
}

// IDNames is the one rule for what an id a user typed names: a container
// id equal to it, or one it is a prefix of at least ShortIDLen characters
// long. A prefix that several ids start with names each of them: a scope
// keeps them all, and a lookup of one container (Snapshot.ContainerByID)
// finds none, since it cannot choose.
func IDNames(query, id string) bool {
	return id == query || len(query) >= ShortIDLen && strings.HasPrefix(id, query)
}
