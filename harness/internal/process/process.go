package process

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// TailLines is how many of the last stdout and stderr lines a Node keeps.
const TailLines = 32

// Config describes one node process.
type Config struct {
	// ID is the node id, used in logs and reports.
	ID string
	// Bin is the executable; Args follow it in argv.
	Bin  string
	Args []string
	// Dir is the working directory (Maelstrom uses the system temp dir).
	Dir string
	// LogPath receives every stderr line.
	LogPath string
	// Mirror, if not nil, also receives every stderr line prefixed by the id
	// (--log-stderr).
	Mirror io.Writer
	// OnStdout is called, from one goroutine, with each stdout line without
	// its newline. The slice is only valid during the call.
	OnStdout func(line []byte)
}

// Node is a running node process.
type Node struct {
	cfg    Config
	cmd    *exec.Cmd
	stdin  *os.File
	exited chan struct{}
	outEOF chan struct{}
	errEOF chan struct{}

	mu       sync.Mutex
	killed   bool
	paused   bool
	status   string
	errTail  []string
	outTail  []string
	mirrorMu *sync.Mutex
}

var mirrorMu sync.Mutex

// Start spawns the node described by cfg.
func Start(cfg Config) (*Node, error) {
	logf, err := os.OpenFile(cfg.LogPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, fmt.Errorf("process: %s: %w", cfg.ID, err)
	}
	ps, err := pipes(3)
	if err != nil {
		logf.Close()
		return nil, err
	}
	stdin, stdout, stderr := ps[0], ps[1], ps[2]
	cmd := exec.Command(cfg.Bin, cfg.Args...)
	cmd.Dir = cfg.Dir
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin.r, stdout.w, stderr.w
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	err = cmd.Start()
	// The child has its ends now (or never will): only ours stay open.
	closeAll(stdin.r, stdout.w, stderr.w)
	if err != nil {
		closeAll(logf, stdin.w, stdout.r, stderr.r)
		return nil, fmt.Errorf("process: start %s: %w", cfg.ID, err)
	}
	n := &Node{
		cfg: cfg, cmd: cmd, stdin: stdin.w,
		exited: make(chan struct{}), outEOF: make(chan struct{}), errEOF: make(chan struct{}),
		mirrorMu: &mirrorMu,
	}
	go n.readStdout(stdout.r)
	go n.readStderr(stderr.r, logf)
	go n.wait()
	return n, nil
}

// pipe is the read and the write end of an OS pipe.
type pipe struct{ r, w *os.File }

// pipes opens k pipes, or none: on an error it closes those it opened.
func pipes(k int) ([]pipe, error) {
	var out []pipe
	for range k {
		r, w, err := os.Pipe()
		if err != nil {
			for _, p := range out {
				closeAll(p.r, p.w)
			}
			return nil, err
		}
		out = append(out, pipe{r, w})
	}
	return out, nil
}

// closeAll closes files whose errors nobody can act on.
func closeAll(files ...*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// ID is the node's id.
func (n *Node) ID() string { return n.cfg.ID }

// Pid is the node's process id (and process group id).
func (n *Node) Pid() int { return n.cmd.Process.Pid }

// Stdin is the write end of the node's stdin pipe. A node that has exited
// makes writes fail; callers may ignore those errors, as Maelstrom does.
func (n *Node) Stdin() io.Writer { return n.stdin }

// Exited is closed when the process has exited.
func (n *Node) Exited() <-chan struct{} { return n.exited }

// Killed reports whether the harness killed the node (as opposed to the node
// exiting by itself).
func (n *Node) Killed() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.killed
}

// Status describes how the process ended, e.g. "exit status 3" or
// "signal: killed"; empty while it runs.
func (n *Node) Status() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.status
}

// StderrTail returns the last stderr lines, waiting up to wait for the
// stream to close so a crashed node's final words are included.
func (n *Node) StderrTail(wait time.Duration) []string {
	select {
	case <-n.errEOF:
	case <-time.After(wait):
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.errTail...)
}

// StdoutTail returns the last stdout lines.
func (n *Node) StdoutTail() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.outTail...)
}

// ErrExited is returned by Pause and Resume for a process that has exited.
var ErrExited = errors.New("process: exited")

// Pause sends SIGSTOP to the node's whole process group, so that whatever
// the node forked stops with it. Its stdin pipe then fills up; writers must
// not share a goroutine with other nodes' deliveries.
func (n *Node) Pause() error { return n.signalGroup(syscall.SIGSTOP, true) }

// Resume sends SIGCONT to the node's whole process group. Resuming a node
// that is not paused is harmless.
func (n *Node) Resume() error { return n.signalGroup(syscall.SIGCONT, false) }

// Paused reports whether the node was paused and not resumed since.
func (n *Node) Paused() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.paused
}

// signalGroup sends sig to the process group and records the pause state,
// under the lock so that the state is never out of step with the signals.
func (n *Node) signalGroup(sig syscall.Signal, paused bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	select {
	case <-n.exited:
		return fmt.Errorf("%w: %s", ErrExited, n.cfg.ID)
	default:
	}
	if err := syscall.Kill(-n.cmd.Process.Pid, sig); err != nil {
		return fmt.Errorf("process: %s: %v: %w", n.cfg.ID, sig, err)
	}
	n.paused = paused
	return nil
}

// Kill sends SIGKILL to the node's whole process group and waits up to 5 s
// for it to exit. It does not close stdin first, like Maelstrom. SIGKILL
// ends a paused (stopped) process too, so Kill is the way out of every
// state.
func (n *Node) Kill() error {
	n.mu.Lock()
	select {
	case <-n.exited:
	default:
		n.killed = true
	}
	n.mu.Unlock()
	err := syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		err = nil
	}
	select {
	case <-n.exited:
	case <-time.After(5 * time.Second):
		return fmt.Errorf("process: %s did not die within 5 s", n.cfg.ID)
	}
	n.stdin.Close()
	return err
}

func (n *Node) wait() {
	err := n.cmd.Wait()
	status := "exit status 0"
	if err != nil {
		status = err.Error()
	}
	n.mu.Lock()
	n.status = status
	n.mu.Unlock()
	close(n.exited)
}

func pushTail(tail []string, line string) []string {
	if len(tail) == TailLines {
		copy(tail, tail[1:])
		tail = tail[:TailLines-1]
	}
	return append(tail, line)
}

func (n *Node) readStdout(r *os.File) {
	defer close(n.outEOF)
	defer r.Close()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			// A line longer than the buffer: gather it whole.
			long := append([]byte(nil), line...)
			for errors.Is(err, bufio.ErrBufferFull) {
				line, err = br.ReadSlice('\n')
				long = append(long, line...)
			}
			line = long
		}
		if len(line) > 0 {
			if line[len(line)-1] == '\n' {
				line = line[:len(line)-1]
			}
			n.mu.Lock()
			n.outTail = pushTail(n.outTail, string(line))
			n.mu.Unlock()
			if n.cfg.OnStdout != nil {
				n.cfg.OnStdout(line)
			}
		}
		if err != nil {
			return
		}
	}
}

func (n *Node) readStderr(r *os.File, logf *os.File) {
	defer close(n.errEOF)
	defer r.Close()
	defer logf.Close()
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if len(line) > 0 {
			if line[len(line)-1] != '\n' {
				line += "\n"
			}
			logf.WriteString(line)
			n.mu.Lock()
			n.errTail = pushTail(n.errTail, line[:len(line)-1])
			n.mu.Unlock()
			if n.cfg.Mirror != nil {
				n.mirrorMu.Lock()
				fmt.Fprintf(n.cfg.Mirror, "%s stderr: %s", n.cfg.ID, line)
				n.mirrorMu.Unlock()
			}
		}
		if err != nil {
			return
		}
	}
}
