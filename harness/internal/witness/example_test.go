package witness_test

import (
	"fmt"

	"github.com/quorumkit/quorumkit/harness/internal/witness"
)

// A leader that answers before its follower's ack arrives is unwitnessed;
// the same reply sent after the ack is witnessed. A router (the harness's
// network, or a simulator's event loop) reports each message when it is
// emitted (Sent, whose Stamp travels with the message) and when it is handed
// over (Delivered, before the receiver acts on it); the client asks for the
// verdict on the reply it matched.
func ExampleTracker() {
	w := witness.New([]string{"n0", "n1", "n2"}, nil)
	w.Delivered("n0", "c7", witness.Stamp{}, []byte(`{"type":"write","key":1,"value":2,"msg_id":1}`))
	app := w.Sent("n0")   // n0 sends the write to n1...
	early := w.Sent("n0") // ...and answers c7 at once
	w.Delivered("n1", "n0", app, nil)
	w.Delivered("n0", "n1", w.Sent("n1"), nil) // n1's ack
	v := w.Judge("c7", 1, "n0", early)
	fmt.Println(v.Witnessed, v.Witnesses, v.Quorum)

	// The next write is answered only after n1's ack.
	w.Delivered("n0", "c7", witness.Stamp{}, []byte(`{"type":"write","key":1,"value":3,"msg_id":2}`))
	w.Delivered("n1", "n0", w.Sent("n0"), nil)
	w.Delivered("n0", "n1", w.Sent("n1"), nil)
	v = w.Judge("c7", 2, "n0", w.Sent("n0"))
	fmt.Println(v.Witnessed, v.Witnesses, v.Quorum)
	// Output:
	// false [n0] 2
	// true [n0 n1] 2
}
