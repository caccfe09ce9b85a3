package simnet

// queue is the network's in-flight messages: a heap ordered by due time, then by the
// tie-break (zero unless Faults.Shuffle draws one), then by send order, so messages due
// together arrive in the order they were sent. The heap holds small keys; the envelopes stay
// put in slots, so a sift moves 32 bytes whatever the size of the message type.
type queue[M any] struct {
	keys  Heap[key]
	slots []Envelope[M]
	freed []int32
}

type key struct {
	at   int64
	tie  uint64
	seq  uint64
	slot int32
}

// Less orders keys by due time, tie-break, then send order.
func (k key) Less(o key) bool {
	if k.at != o.at {
		return k.at < o.at
	}
	if k.tie != o.tie {
		return k.tie < o.tie
	}
	return k.seq < o.seq
}

func (q *queue[M]) len() int { return len(q.keys) }

// next is the earliest due time; only valid when len() > 0.
func (q *queue[M]) next() int64 { return q.keys[0].at }

func (q *queue[M]) push(e *Envelope[M]) {
	var s int32
	if n := len(q.freed); n > 0 {
		s = q.freed[n-1]
		q.freed = q.freed[:n-1]
		q.slots[s] = *e
	} else {
		s = int32(len(q.slots))
		q.slots = append(q.slots, *e)
	}
	q.keys.Push(key{at: e.At, tie: e.tie, seq: e.seq, slot: s})
}

// pop removes the earliest message from the order and returns its slot, which stays taken
// until free: the caller may hold a pointer to it while it sends more.
func (q *queue[M]) pop() int32 { return q.keys.Pop().slot }

// at returns the envelope in a slot. The pointer stays valid after later pushes (they may
// move the slots, never the envelope the pointer already holds).
func (q *queue[M]) at(slot int32) *Envelope[M] { return &q.slots[slot] }

// free makes a popped slot reusable.
func (q *queue[M]) free(slot int32) {
	var zero Envelope[M]
	q.slots[slot] = zero // drop the references the message holds
	q.freed = append(q.freed, slot)
}

// filter keeps the messages keep accepts and returns how many it removed; the rest keep
// their order.
func (q *queue[M]) filter(keep func(*Envelope[M]) bool) int {
	var kept []Envelope[M]
	removed := 0
	for q.len() > 0 {
		slot := q.pop()
		if e := q.at(slot); keep(e) {
			kept = append(kept, *e)
		} else {
			removed++
		}
		q.free(slot)
	}
	for i := range kept {
		q.push(&kept[i])
	}
	return removed
}

// each calls f on every queued message, in no particular order.
func (q *queue[M]) each(f func(*Envelope[M])) {
	for _, k := range q.keys {
		f(&q.slots[k.slot])
	}
}
