package simnet

// nemesis applies the random partition and pause schedules of the fault model. It draws
// nothing while both are off, so a caller that partitions and pauses by hand keeps its own
// sequence of random numbers.
func (n *Network[M]) nemesis() {
	if p := n.Faults.Partitions; n.due(&n.nextPartition, p.Every) {
		n.partition(p.Shapes)
	}
	if p := n.Faults.Pauses; n.due(&n.nextPause, p.Every) {
		n.pauseSomeone(p)
	}
	if c := n.Faults.Crashes; n.due(&n.nextCrash, c.Every) {
		n.crashSome(c)
	}
}

// crashSome kills every node (with probability c.All) or else a random number of random
// ones, from one to all, each for a time drawn from [1, c.Max]; nodes already down stay so.
func (n *Network[M]) crashSome(c Crashes) {
	ids := append([]string(nil), n.ids...)
	k := len(ids)
	if c.All == 0 || n.rnd.Float64() >= c.All {
		n.rnd.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
		k = 1 + n.rnd.IntN(len(ids))
	}
	for _, id := range ids[:k] {
		n.Crash(id, between(n.rnd, 1, max(c.Max, 1)))
	}
}

// due reports whether a schedule with the given mean gap (zero: off) acts now, and if so
// draws when it acts next: uniformly at random, with that mean, at least 1 ms later.
func (n *Network[M]) due(next *int64, every int64) bool {
	if every <= 0 {
		return false
	}
	if *next == 0 {
		*next = n.now + 1 + n.rnd.Int64N(2*every)
	}
	if n.now < *next {
		return false
	}
	*next = n.now + 1 + n.rnd.Int64N(2*every)
	return true
}

// partition heals the network, then, two times in three, applies one of the shapes.
func (n *Network[M]) partition(shapes Shape) {
	n.Heal()
	if shapes == 0 {
		shapes = AllShapes
	}
	var choice []Shape
	for s := Shape(1); s <= AllShapes; s <<= 1 {
		if shapes&s != 0 {
			choice = append(choice, s)
		}
	}
	if n.rnd.IntN(3) > 0 && len(choice) > 0 {
		n.ApplyShape(choice[n.rnd.IntN(len(choice))])
	}
	n.logf("partition %s", n.Partition())
}

// ApplyShape adds one partition of the given shape (a single bit of Shape) over a random
// order of the nodes, drawn from the network's random source.
func (n *Network[M]) ApplyShape(s Shape) {
	ids := append([]string(nil), n.ids...)
	n.rnd.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	k := len(ids)
	switch s {
	case ShapeIsolate:
		n.Isolate(ids[0])
	case ShapeSplit:
		for _, a := range ids[:k/2] {
			for _, b := range ids[k/2:] {
				n.Cut(a, b)
			}
		}
	case ShapeRing:
		// Node i hears the majority window ids[i-w .. i-w+k/2] and nothing else.
		w := k / 4
		for i, a := range ids {
			for d := k/2 + 1; d < k; d++ {
				n.Block(ids[((i-w+d)%k+k)%k], a)
			}
		}
	case ShapeDeaf:
		for _, b := range ids[1:] {
			n.Block(b, ids[0])
		}
	case ShapeMute:
		for _, b := range ids[1:] {
			n.Block(ids[0], b)
		}
	case ShapeLeaderMute, ShapeLeaderDeaf:
		l := ""
		if n.Leader != nil {
			l = n.Leader()
		}
		if l == "" {
			l = ids[0]
		}
		var others []string
		for _, id := range ids {
			if id != l {
				others = append(others, id)
			}
		}
		if len(others) == 0 {
			break
		}
		for _, b := range others[:1+n.rnd.IntN(len(others))] {
			if s == ShapeLeaderMute {
				n.Block(l, b)
			} else {
				n.Block(b, l)
			}
		}
	case ShapeOneWay:
		for _, a := range ids {
			for _, b := range ids {
				if a != b && n.rnd.IntN(3) == 0 {
					n.Block(a, b)
				}
			}
		}
	}
}

// pauseSomeone pauses the leader (with probability p.Leader, when there is one) or else a
// random node; pausing a node that is already paused does nothing.
func (n *Network[M]) pauseSomeone(p Pauses) {
	d := between(n.rnd, 1, max(p.Max, 1))
	id := ""
	if p.Leader > 0 && n.Leader != nil && n.rnd.Float64() < p.Leader {
		id = n.Leader()
	}
	if id == "" {
		id = n.ids[n.rnd.IntN(len(n.ids))]
	}
	n.Pause(id, d)
}
