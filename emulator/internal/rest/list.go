package rest

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// defaultPageSize is the page size of ListConnectionsInGroup without maxpagesize.
const defaultPageSize = 200

// groupMember is one item of ListConnectionsInGroup.
type groupMember struct {
	ConnectionID string `json:"connectionId"`
	UserID       string `json:"userId,omitempty"`
}

// groupMemberPage is the body of ListConnectionsInGroup.
type groupMemberPage struct {
	Value    []groupMember `json:"value"`
	NextLink string        `json:"nextLink,omitempty"`
}

// listConnectionsInGroup is WebPubSub_ListConnectionsInGroup. Members are
// listed in connection id order; the continuation token is the last id of
// the previous page, and nextLink carries the rest of top.
func (a *API) listConnectionsInGroup(w http.ResponseWriter, r *http.Request, h *core.Hub) {
	g, err := pathGroup(r)
	if err != nil {
		fail(w, err)
		return
	}
	q := r.URL.Query()
	pageSize, top, after, err := pageParams(q)
	if err != nil {
		fail(w, err)
		return
	}
	members := h.Group(g)
	sort.Slice(members, func(i, j int) bool { return members[i].ID() < members[j].ID() })
	start := sort.Search(len(members), func(i int) bool { return members[i].ID() > after })
	if after == "" {
		start = 0
	}
	n := pageSize
	if top > 0 && top < n {
		n = top
	}
	end := min(start+n, len(members))
	page := groupMemberPage{Value: make([]groupMember, 0, end-start)}
	for _, c := range members[start:end] {
		page.Value = append(page.Value, groupMember{ConnectionID: c.ID(), UserID: c.UserID()})
	}
	remaining := top - len(page.Value)
	if end < len(members) && (top == 0 || remaining > 0) {
		next := url.Values{}
		next.Set("api-version", cmp.Or(q.Get("api-version"), apiVersion))
		if q.Has("maxpagesize") {
			next.Set("maxpagesize", strconv.Itoa(pageSize))
		}
		if top > 0 {
			next.Set("top", strconv.Itoa(remaining))
		}
		next.Set("continuationToken", base64.RawURLEncoding.EncodeToString([]byte(members[end-1].ID())))
		page.NextLink = "http://" + r.Host + r.URL.EscapedPath() + "?" + next.Encode()
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(page)
}

// pageParams returns the paging parameters of ListConnectionsInGroup: the
// page size (maxpagesize, 1-200, default 200), top (0: all) and the last
// connection id of the previous page (continuationToken).
func pageParams(q url.Values) (pageSize, top int, after string, err error) {
	if pageSize, err = intParam(q, "maxpagesize", 1, 200); err != nil {
		return 0, 0, "", err
	}
	if pageSize == 0 {
		pageSize = defaultPageSize
	}
	if top, err = intParam(q, "top", 1, math.MaxInt32); err != nil {
		return 0, 0, "", err
	}
	if tok := q.Get("continuationToken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || len(b) == 0 {
			return 0, 0, "", badParameter("continuationToken", "invalid continuationToken: pass the one of the previous page's nextLink.")
		}
		after = string(b)
	}
	return pageSize, top, after, nil
}

// intParam parses the optional integer query parameter name within
// [lo, hi]; 0 means absent.
func intParam(q url.Values, name string, lo, hi int64) (int, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, badParameter(name, "%s must be an integer from %d to %d, got %q.", name, lo, hi, truncateText(v))
	}
	return int(n), nil
}
