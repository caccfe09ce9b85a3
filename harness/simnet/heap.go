package simnet

// Heap is a binary min-heap of values that order themselves. It is written out rather than
// taken from container/heap, which boxes every element; the simulated network's queue and the
// harness's real-time inboxes both keep their messages in one.
type Heap[T interface{ Less(T) bool }] []T

// Push adds x.
func (h *Heap[T]) Push(x T) {
	*h = append(*h, x)
	q := *h
	for i := len(q) - 1; i > 0; {
		p := (i - 1) / 2
		if !q[i].Less(q[p]) {
			break
		}
		q[i], q[p] = q[p], q[i]
		i = p
	}
}

// Pop removes and returns the least element; the heap must not be empty.
func (h *Heap[T]) Pop() T {
	q := *h
	top := q[0]
	last := len(q) - 1
	q[0] = q[last]
	var zero T
	q[last] = zero // drop what the element refers to
	q = q[:last]
	for i := 0; ; {
		l, r, m := 2*i+1, 2*i+2, i
		if l < len(q) && q[l].Less(q[m]) {
			m = l
		}
		if r < len(q) && q[r].Less(q[m]) {
			m = r
		}
		if m == i {
			break
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
	*h = q
	return top
}
