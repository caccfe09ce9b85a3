package runner

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/quorumkit/quorumkit/harness/internal/nemesis"
	"github.com/quorumkit/quorumkit/harness/internal/process"
)

// nodeProcesses is what the nemesis kills, starts, pauses and resumes: the
// run's node processes, as upstream Maelstrom's db does it. A killed node
// stays in the network, down: what waited for it and what is sent to it is
// lost (net.Down), so a client's request times out as any other. A start
// runs the same binary with the same arguments in the same directory,
// revives the node's inbox with a fresh init from a new client, and counts
// the node as up only at its init_ok. A pause stops the node's process
// group; its pump then blocks on the full stdin pipe, and the messages wait
// in its queue until the resume. The nemesis never acts twice at once on
// one node.
type nodeProcesses struct{ t *test }

// slot returns node id's index, current process and whether it is down.
func (p nodeProcesses) slot(id string) (int, *process.Node, bool) {
	i := slices.Index(p.t.opts.Nodes, id)
	if i < 0 {
		panic("runner: no node " + id)
	}
	p.t.mu.Lock()
	defer p.t.mu.Unlock()
	return i, p.t.nodes[i], p.t.down[i]
}

func (p nodeProcesses) setDown(i int, down bool) {
	p.t.mu.Lock()
	defer p.t.mu.Unlock()
	p.t.down[i] = down
}

// Kill marks the node down in the network, SIGKILLs its process group and
// waits for its pump to return, so that no message meant for its successor
// is written to the dead process.
func (p nodeProcesses) Kill(id string) string {
	i, node, down := p.slot(id)
	if down {
		return nemesis.NotRunning
	}
	p.t.net.Down(id)
	p.setDown(i, true)
	if err := node.Kill(); err != nil {
		fmt.Fprintln(p.t.opts.Log, "harness:", err)
	}
	p.t.mu.Lock()
	pumped := p.t.pumped[i]
	p.t.mu.Unlock()
	select {
	case <-pumped:
	case <-time.After(5 * time.Second):
		fmt.Fprintf(p.t.opts.Log, "harness: %s's stdin pump did not stop within 5 s of the kill\n", id)
	}
	return nemesis.Killed
}

// Start restarts a node that is down. A new process that exits or does not
// answer init crashes the run, as a first init would; once the run is
// halting, a down node is left down.
func (p nodeProcesses) Start(id string) string {
	i, _, down := p.slot(id)
	if !down {
		return nemesis.AlreadyRunning
	}
	select {
	case <-p.t.stop:
		return nemesis.NotStarted
	default:
	}
	opts := p.t.opts
	client := "c" + strconv.FormatInt(int64(2*len(opts.Nodes)+opts.Concurrency)+p.t.restarts.Add(1)-1, 10)
	if err := p.t.startNode(i, id, client, true); err != nil {
		if errors.Is(err, errHalted) || errors.Is(err, errTornDown) {
			return nemesis.NotStarted
		}
		p.t.setCrash(fmt.Sprintf("node %s did not come back after a kill: %v", id, err))
		p.t.halt()
		return nemesis.StartFailed
	}
	p.setDown(i, false)
	return nemesis.Started
}

// Pause sends SIGSTOP to a running node's process group.
func (p nodeProcesses) Pause(id string) string {
	_, node, down := p.slot(id)
	switch {
	case down:
		return nemesis.NotRunning
	case node.Paused():
		return nemesis.AlreadyPaused
	}
	if err := node.Pause(); err != nil {
		fmt.Fprintln(p.t.opts.Log, "harness:", err)
		return nemesis.NotRunning
	}
	return nemesis.Paused
}

// Resume sends SIGCONT to a paused node's process group.
func (p nodeProcesses) Resume(id string) string {
	_, node, down := p.slot(id)
	if down || !node.Paused() {
		return nemesis.NotPaused
	}
	if err := node.Resume(); err != nil {
		fmt.Fprintln(p.t.opts.Log, "harness:", err)
		return nemesis.NotPaused
	}
	return nemesis.Resumed
}
