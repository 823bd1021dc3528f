package rest

import (
	"net/http"
	"time"

	"github.com/webpubsub-go/webpubsub/emulator/internal/core"
)

// handlerFunc is an operation's handler on its hub.
type handlerFunc = func(http.ResponseWriter, *http.Request, *core.Hub)

// operation is one REST operation: its route, the name fault injection
// knows it by (Emulator.FailREST), and its handler.
type operation struct {
	pattern string
	name    string
	handler func(*API) handlerFunc
}

// operations are the REST API's operations.
var operations = []operation{
	{"POST /api/hubs/{hub}/:addToGroups", "addConnectionsToGroups", func(a *API) handlerFunc { return a.addConnectionsToGroups }},
	{"POST /api/hubs/{hub}/:removeFromGroups", "removeConnectionsFromGroups", func(a *API) handlerFunc { return a.removeConnectionsFromGroups }},
	{"POST /api/hubs/{hub}/:closeConnections", "closeAllConnections", func(a *API) handlerFunc { return a.closeAllConnections }},
	{"POST /api/hubs/{hub}/:generateToken", "generateClientToken", func(a *API) handlerFunc { return a.generateToken }},
	{"POST /api/hubs/{hub}/:send", "sendToAll", func(a *API) handlerFunc { return a.sendToAll }},
	{"DELETE /api/hubs/{hub}/connections/{connectionId}", "closeConnection", func(a *API) handlerFunc { return a.closeConnection }},
	{"HEAD /api/hubs/{hub}/connections/{connectionId}", "connectionExists", func(a *API) handlerFunc { return a.connectionExists }},
	{"POST /api/hubs/{hub}/connections/{connectionId}/:send", "sendToConnection", func(a *API) handlerFunc { return a.sendToConnection }},
	{"DELETE /api/hubs/{hub}/connections/{connectionId}/groups", "removeConnectionFromAllGroups", func(a *API) handlerFunc { return a.removeConnectionFromAllGroups }},
	{"HEAD /api/hubs/{hub}/groups/{group}", "groupExists", func(a *API) handlerFunc { return a.groupExists }},
	{"POST /api/hubs/{hub}/groups/{group}/:closeConnections", "closeGroupConnections", func(a *API) handlerFunc { return a.closeGroupConnections }},
	{"POST /api/hubs/{hub}/groups/{group}/:send", "sendToGroup", func(a *API) handlerFunc { return a.sendToGroup }},
	{"GET /api/hubs/{hub}/groups/{group}/connections", "listConnectionsInGroup", func(a *API) handlerFunc { return a.listConnectionsInGroup }},
	{"DELETE /api/hubs/{hub}/groups/{group}/connections/{connectionId}", "removeConnectionFromGroup", func(a *API) handlerFunc { return a.removeConnectionFromGroup }},
	{"PUT /api/hubs/{hub}/groups/{group}/connections/{connectionId}", "addConnectionToGroup", func(a *API) handlerFunc { return a.addConnectionToGroup }},
	{"DELETE /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", "revokePermission", func(a *API) handlerFunc { return a.revokePermission }},
	{"HEAD /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", "checkPermission", func(a *API) handlerFunc { return a.checkPermission }},
	{"PUT /api/hubs/{hub}/permissions/{permission}/connections/{connectionId}", "grantPermission", func(a *API) handlerFunc { return a.grantPermission }},
	{"HEAD /api/hubs/{hub}/users/{userId}", "userExists", func(a *API) handlerFunc { return a.userExists }},
	{"POST /api/hubs/{hub}/users/{userId}/:closeConnections", "closeUserConnections", func(a *API) handlerFunc { return a.closeUserConnections }},
	{"POST /api/hubs/{hub}/users/{userId}/:send", "sendToUser", func(a *API) handlerFunc { return a.sendToUser }},
	{"DELETE /api/hubs/{hub}/users/{userId}/groups", "removeUserFromAllGroups", func(a *API) handlerFunc { return a.removeUserFromAllGroups }},
	{"DELETE /api/hubs/{hub}/users/{userId}/groups/{group}", "removeUserFromGroup", func(a *API) handlerFunc { return a.removeUserFromGroup }},
	{"PUT /api/hubs/{hub}/users/{userId}/groups/{group}", "addUserToGroup", func(a *API) handlerFunc { return a.addUserToGroup }},
}

// Operations returns the names of the REST operations, as fault injection
// knows them.
func Operations() []string {
	out := make([]string, len(operations))
	for i, op := range operations {
		out[i] = op.name
	}
	return out
}

// faulted applies injected latency and scripted answers to authorized REST
// calls routed by api.
func (a *API) faulted(api *http.ServeMux) http.Handler {
	byPattern := make(map[string]string, len(operations))
	for _, op := range operations {
		byPattern[op.pattern] = op.name
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pattern := api.Handler(r)
		op := byPattern[pattern]
		if op == "" {
			api.ServeHTTP(w, r)
			return
		}
		if d := a.faults.Latency(op); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		if ans, ok := a.faults.Next(op); ok {
			a.log.Debug("emulator: injected REST fault", "operation", op, "status", ans.Status)
			ans.Write(w, op)
			return
		}
		api.ServeHTTP(w, r)
	})
}
