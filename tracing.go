package webpubsub

import (
	"context"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/tracing"
)

// namedSpanTracer returns a tracer that starts every span of tr under the name
// name. azcore's Pager names its per-page span after itself ("Pager.NextPage");
// wrapping the client's tracer gives the span the name of the method that
// made the pager (e.g. "GroupClient.NewListConnectionsPager") while keeping
// the tracer's attributes (az.namespace) and provider. A disabled tracer stays
// disabled.
func namedSpanTracer(tr tracing.Tracer, name string) tracing.Tracer {
	if !tr.Enabled() {
		return tr
	}
	return tracing.NewTracer(func(ctx context.Context, _ string, options *tracing.SpanOptions) (context.Context, tracing.Span) {
		return tr.Start(ctx, name, options)
	}, &tracing.TracerOptions{SpanFromContext: tr.SpanFromContext})
}
