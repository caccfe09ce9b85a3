package raft

import "github.com/quorumkit/quorumkit/nodes/consensus"

// tickElection runs on followers and candidates: when nothing was heard from a leader for the
// randomized timeout, start a pre-vote campaign. A recovering node does not: its log may lack
// entries it acknowledged, and the others judge a candidate by its log.
func (n *node) tickElection() {
	n.electionElapsed++
	if n.electionElapsed >= n.randomizedTimeout {
		if n.recovering {
			n.electionElapsed = 0
			return
		}
		n.campaign(true)
	}
}

// inLease reports whether this node may be part of a leader's lease: it is the leader, or it
// accepted a message from a leader within the election timeout, in whatever term it is now.
// Such a node ignores (pre-)vote requests of higher terms (leader stickiness, Raft thesis
// §4.2.3) and grants no vote at all, which is the follower half of the lease argument in
// doc.go. Adopting a higher term from an answer (a rejected pre-vote carries the rejecter's
// term) clears lead but not leaderHeard, so it does not end the promise. A leader gives up
// this stance only by stepping down, after which it serves no lease read.
func (n *node) inLease() bool {
	return n.role == consensus.Leader || n.leaderHeard != 0 && n.now-n.leaderHeard < uint64(n.electionTimeout)
}

// campaign starts a pre-vote (pre = true) or a real election. The pre-vote asks "would you vote
// for me in term+1?" without anyone changing term, so a node cut off from the majority cannot
// inflate its term and depose a healthy leader when it comes back.
func (n *node) campaign(pre bool) {
	typ, term := MsgVote, n.term+1
	if pre {
		n.becomePreCandidate()
		typ = MsgPreVote
	} else {
		n.becomeCandidate()
		term = n.term
	}
	n.votes = map[string]bool{n.id: true}
	n.campaignStamp = n.now
	if n.quorum == 1 {
		n.wonVote(pre)
		return
	}
	for _, pr := range n.peers {
		n.send(Message{Type: typ, To: pr.id, Term: term, Index: n.log.lastIndex(), LogTerm: n.log.lastTerm(), Stamp: n.now})
	}
}

// tallyVote records a (pre-)vote answer and acts once the outcome is decided.
func (n *node) tallyVote(from string, granted bool) {
	if _, seen := n.votes[from]; seen {
		return
	}
	n.votes[from] = granted
	yes, no := 0, 0
	for _, g := range n.votes {
		if g {
			yes++
		} else {
			no++
		}
	}
	switch {
	case yes >= n.quorum:
		n.wonVote(n.role == consensus.PreCandidate)
	case no > len(n.peers)+1-n.quorum:
		n.cfg.Logger.Info("lost the campaign", "role", n.role.String(), "term", n.term, "rejections", no)
		n.becomeFollower(n.term, "")
	}
}

func (n *node) wonVote(pre bool) {
	if pre {
		n.campaign(false)
	} else {
		n.becomeLeader()
	}
}

// handleVoteRequest answers a MsgPreVote or MsgVote whose term is >= ours (Step has already
// adopted a higher term for a real vote, or ignored it under leader stickiness).
func (n *node) handleVoteRequest(m Message) {
	resp := MsgVoteResp
	if m.Type == MsgPreVote {
		resp = MsgPreVoteResp
	}
	// A recovering node grants nothing: its log may lack entries it acknowledged, so it could
	// help elect a leader without them (doc.go, Durability).
	canVote := !n.recovering && (n.vote == m.From || n.vote == "" && n.lead == "" && !n.inLease() || m.Type == MsgPreVote && m.Term > n.term)
	if m.Type == MsgPreVote && n.role == consensus.PreCandidate && !n.log.isNewer(m.Index, m.LogTerm) && m.From > n.id {
		// Two pre-candidates with equal logs would grant each other and then split the real
		// vote (likely at constant latency, where followers' timers start together). The
		// lower id wins the tie; pre-votes change no state, so this only affects liveness.
		canVote = false
	}
	if canVote && n.log.isUpToDate(m.Index, m.LogTerm) {
		if m.Type == MsgVote {
			n.vote = m.From
			n.electionElapsed = 0
			n.cfg.Logger.Info("voted", "for", m.From, "term", n.term)
		}
		n.send(Message{Type: resp, To: m.From, Term: m.Term, Stamp: m.Stamp})
		return
	}
	n.send(Message{Type: resp, To: m.From, Reject: true, Stamp: m.Stamp})
}
