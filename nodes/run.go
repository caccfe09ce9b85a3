package nodes

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"
)

// Config tunes [Run]. The zero value is usable: it reads os.Stdin, writes os.Stdout, logs to
// os.Stderr, ticks every 2 ms and picks a random seed.
type Config struct {
	// Stdin, Stdout and Stderr default to the process's streams.
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	// TickPeriod is how often Machine.Tick is called (default 2 ms).
	TickPeriod time.Duration
	// Seed seeds Init.Rand together with the node id; 0 picks one at random and logs it.
	Seed uint64
	// LogLevel is the lowest level logged (default Info).
	LogLevel slog.Level
	// MaxBurst bounds how many queued lines are handled before the machine's Idle and a flush
	// (default 256), so that output keeps flowing under a flood of input.
	MaxBurst int
}

func (c *Config) fill() {
	if c.Stdin == nil {
		c.Stdin = os.Stdin
	}
	if c.Stdout == nil {
		c.Stdout = os.Stdout
	}
	if c.Stderr == nil {
		c.Stderr = os.Stderr
	}
	if c.TickPeriod <= 0 {
		c.TickPeriod = 2 * time.Millisecond
	}
	if c.Seed == 0 {
		c.Seed = rand.Uint64() | 1
	}
	if c.MaxBurst <= 0 {
		c.MaxBurst = 256
	}
}

// lineQueue bounds the lines read ahead of the event loop; the reader blocks beyond it, which
// pushes back on whoever writes our stdin.
const lineQueue = 4096

// Run runs machine m as a Maelstrom node until stdin ends, and returns nil then. It returns an
// error only when stdout or stdin fail. Nothing but whole messages is written to stdout.
func Run(m Machine, cfg Config) error {
	cfg.fill()
	r := &runtime{
		m:     m,
		cfg:   cfg,
		start: time.Now(),
		w:     bufio.NewWriterSize(cfg.Stdout, 64<<10),
		log:   slog.New(slog.NewTextHandler(cfg.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel})),
	}
	lines := make(chan []byte, lineQueue)
	readErr := make(chan error, 1)
	go readLines(cfg.Stdin, lines, readErr)

	ticker := time.NewTicker(cfg.TickPeriod)
	defer ticker.Stop()
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				return r.finish(<-readErr)
			}
			r.handleLine(line)
		burst:
			for i := 1; i < cfg.MaxBurst; i++ {
				select {
				case line, ok = <-lines:
					if !ok {
						return r.finish(<-readErr)
					}
					r.handleLine(line)
				default:
					break burst
				}
			}
		case <-ticker.C:
			if r.self != "" {
				r.m.Tick(r.now(), &r.out)
				r.emit()
			}
		}
		if r.self != "" {
			r.m.Idle(r.now(), &r.out)
			r.emit()
		}
		if err := r.w.Flush(); err != nil {
			return fmt.Errorf("nodes: write stdout: %w", err)
		}
	}
}

// readLines sends every line of in, without its newline, to lines; a line may be of any length.
// It closes lines at the end and then reports why (nil at EOF).
func readLines(in io.Reader, lines chan<- []byte, done chan<- error) {
	br := bufio.NewReaderSize(in, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			lines <- line
		}
		if err != nil {
			close(lines)
			if errors.Is(err, io.EOF) {
				err = nil
			}
			done <- err
			return
		}
	}
}

// runtime is the event loop's state; only Run's goroutine touches it.
type runtime struct {
	m     Machine
	cfg   Config
	start time.Time
	w     *bufio.Writer
	log   *slog.Logger
	self  string // this node's id, "" until init
	ids   []string
	out   Outbox
	buf   []byte
}

func (r *runtime) now() time.Duration { return time.Since(r.start) }

func (r *runtime) finish(err error) error {
	if r.self != "" {
		r.m.Idle(r.now(), &r.out)
		r.emit()
	}
	if ferr := r.w.Flush(); ferr != nil && err == nil {
		err = ferr
	}
	if err != nil {
		return fmt.Errorf("nodes: read stdin: %w", err)
	}
	r.log.Info("stdin closed, stopping")
	return nil
}

// handleLine decodes one input line and dispatches it. Bad input is logged or answered, never
// fatal.
func (r *runtime) handleLine(line []byte) {
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return
	}
	msg, err := ParseMessage(line)
	if err != nil {
		r.log.Warn("skipping bad input line", "err", err, "line", truncate(line, 200))
		return
	}
	if msg.Type == "init" {
		r.handleInit(msg)
		return
	}
	if r.self == "" {
		if msg.HasMsgID {
			r.send(msg.Dest, Outgoing{Dest: msg.Src, Body: NewErrorBody(msg.MsgID,
				Errorf(TemporarilyUnavailable, "node not initialised yet"))})
		}
		r.log.Warn("message before init", "src", msg.Src, "type", msg.Type)
		return
	}
	if err := r.m.Handle(r.now(), msg, &r.out); err != nil {
		var e *Error
		if errors.As(err, &e) && r.out.ReplyError(msg, e) {
			r.log.Debug("error reply", "to", msg.Src, "type", msg.Type, "err", e)
		} else {
			r.log.Warn("message not handled", "src", msg.Src, "type", msg.Type, "err", err)
		}
	}
	r.emit()
}

// initBody is the body of Maelstrom's init message.
type initBody struct {
	NodeID  *string  `json:"node_id"`
	NodeIDs []string `json:"node_ids"`
}

// initOK is the body of the reply to init.
type initOK struct {
	Type      string `json:"type"`
	InReplyTo uint64 `json:"in_reply_to"`
}

func (r *runtime) handleInit(msg *Message) {
	var b initBody
	if err := json.Unmarshal(msg.Body, &b); err != nil || b.NodeID == nil || *b.NodeID == "" {
		r.replyEarly(msg, Errorf(MalformedRequest, "init needs a string node_id and a node_ids array of strings"))
		return
	}
	id := *b.NodeID
	found := false
	for _, n := range b.NodeIDs {
		found = found || n == id
	}
	if !found {
		r.replyEarly(msg, Errorf(MalformedRequest, "node_id %q is not in node_ids %v", id, b.NodeIDs))
		return
	}
	if r.self != "" {
		if r.self != id || fmt.Sprint(r.ids) != fmt.Sprint(b.NodeIDs) {
			r.replyEarly(msg, Errorf(MalformedRequest, "already initialised as %s of %v", r.self, r.ids))
			return
		}
		r.log.Warn("init repeated; state kept")
		r.send(id, Outgoing{Dest: msg.Src, Body: initOK{Type: "init_ok", InReplyTo: msg.MsgID}})
		return
	}
	r.self, r.ids = id, b.NodeIDs
	r.log = r.log.With("node", id)
	h := fnv.New64a()
	h.Write([]byte(id))
	r.log.Info("init", "node_ids", b.NodeIDs, "seed", r.cfg.Seed)
	r.send(id, Outgoing{Dest: msg.Src, Body: initOK{Type: "init_ok", InReplyTo: msg.MsgID}})
	r.m.Init(r.now(), Init{
		NodeID:  id,
		NodeIDs: append([]string(nil), b.NodeIDs...),
		Rand:    rand.New(rand.NewPCG(r.cfg.Seed, h.Sum64())),
		Logger:  r.log,
	}, &r.out)
	r.emit()
}

// replyEarly answers a message the machine never sees, from the id it was addressed to.
func (r *runtime) replyEarly(msg *Message, e *Error) {
	r.log.Warn("bad init", "err", e)
	if msg.HasMsgID {
		r.send(msg.Dest, Outgoing{Dest: msg.Src, Body: NewErrorBody(msg.MsgID, e)})
	}
}

// emit writes everything the machine queued.
func (r *runtime) emit() {
	for _, o := range r.out.Take() {
		r.send(r.self, o)
	}
}

// send encodes one message into the buffered writer. A body that cannot be encoded is logged
// and dropped: a torn line would silence the node for the rest of a Maelstrom test.
func (r *runtime) send(src string, o Outgoing) {
	var err error
	r.buf, err = AppendLine(r.buf[:0], src, o)
	if err != nil {
		r.log.Error("dropping unencodable message", "err", err)
		return
	}
	r.w.Write(r.buf) // an error sticks in the writer and surfaces at Flush
}

func truncate(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
