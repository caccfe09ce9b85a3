package check

import (
	"encoding/json"
	"fmt"
)

// Validity is a checker verdict: true, false or unknown.
type Validity int

// The verdicts, ordered so that a larger value is worse.
const (
	Valid Validity = iota
	Unknown
	Invalid
)

// Worst merges verdicts: false > unknown > true.
func Worst(vs ...Validity) Validity {
	w := Valid
	for _, v := range vs {
		if v > w {
			w = v
		}
	}
	return w
}

// Of is Valid when ok holds and Invalid otherwise.
func Of(ok bool) Validity {
	if ok {
		return Valid
	}
	return Invalid
}

// String is "true", "false" or "unknown".
func (v Validity) String() string {
	switch v {
	case Valid:
		return "true"
	case Invalid:
		return "false"
	}
	return "unknown"
}

// MarshalJSON writes true, false or "unknown".
func (v Validity) MarshalJSON() ([]byte, error) {
	if v == Unknown {
		return []byte(`"unknown"`), nil
	}
	return []byte(v.String()), nil
}

// UnmarshalJSON reads true, false or "unknown".
func (v *Validity) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case "true":
		*v = Valid
	case "false":
		*v = Invalid
	case `"unknown"`:
		*v = Unknown
	default:
		return fmt.Errorf("check: bad validity %s", b)
	}
	return nil
}

var _ json.Marshaler = Valid
