package kernfile

import "bytes"

// The parsers below read kernel files in place, without the strings, maps
// and errors that strconv and fscommon would allocate for each of the
// thousands of values a refresh reads. They accept what fscommon does.

// ParseUint parses one unsigned decimal; a negative number (some
// memory cgroup stats go negative through kernel bugs) is 0, as in
// fscommon.ParseUint. ok is false for anything else, or an overflow.
func ParseUint(b []byte) (v uint64, ok bool) {
	neg := false
	if len(b) > 0 && b[0] == '-' {
		neg = true
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (^uint64(0)-d)/10 {
			if neg {
				// fscommon returns 0 for any negative number.
				return 0, allDigits(b)
			}
			return 0, false
		}
		v = v*10 + d
	}
	if neg {
		return 0, true
	}
	return v, true
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Uint parses a file holding one number, "max" as
// math.MaxUint64, garbage as 0.
func Uint(b []byte) uint64 {
	b = bytes.TrimSpace(b)
	if string(b) == "max" {
		return ^uint64(0)
	}
	v, _ := ParseUint(b)
	return v
}

// Int parses a signed decimal, garbage as 0.
func Int(b []byte) int64 {
	b = bytes.TrimSpace(b)
	neg := len(b) > 0 && b[0] == '-'
	if len(b) > 0 && (b[0] == '-' || b[0] == '+') {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0
	}
	var v int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0
		}
		d := int64(c - '0')
		if v > (1<<63-1-d)/10 {
			return 0
		}
		v = v*10 + d
	}
	if neg {
		return -v
	}
	return v
}

// EachKeyValue calls fn for every "key value" line of data with a valid
// number (fscommon.ParseKeyValue's grammar: one space, two fields).
func EachKeyValue(data []byte, fn func(key []byte, v uint64)) {
	for len(data) > 0 {
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		sp := bytes.IndexByte(line, ' ')
		if sp < 0 || bytes.IndexByte(line[sp+1:], ' ') >= 0 {
			continue
		}
		if v, ok := ParseUint(line[sp+1:]); ok {
			fn(line[:sp], v)
		}
	}
}

// ParseUnsigned is strconv.ParseUint(s, 10, 64) on bytes: digits only.
func ParseUnsigned(b []byte) (uint64, bool) {
	if len(b) == 0 || b[0] == '-' {
		return 0, false
	}
	return ParseUint(b)
}
