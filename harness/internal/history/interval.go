package history

import "time"

// Interval is a period of the run on the history's time scale, such as a
// partition, that the plots shade.
type Interval struct {
	Start time.Duration
	// End is negative while the interval is still open (it then lasts to
	// the end of the run).
	End   time.Duration
	Label string
	// Kind is the fault: "partition", "kill" or "pause", each shaded in its
	// own colour (Jepsen's); any other kind, or none, is shaded as a
	// partition.
	Kind string
}
