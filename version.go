package webpubsub

// Module identity, used by azcore for the User-Agent header
// ("azsdk-go-webpubsub/<version>") and as the name of the tracer that creates
// the SDK's spans.
const (
	moduleName    = "github.com/webpubsub-go/webpubsub"
	moduleVersion = "v0.3.0"
)
