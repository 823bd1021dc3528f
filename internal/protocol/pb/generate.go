// Package pb holds the Go code generated from webpubsub.proto, the schema of
// the protobuf client subprotocols. Use it through the codec in package
// protocol; only the codec and tests touch these types directly.
package pb

// The generated file is committed; TestGeneratedCodeIsCurrent fails when it
// no longer matches webpubsub.proto. protoc-gen-go must be the version of
// google.golang.org/protobuf in go.mod:
//
//	go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
//
//go:generate protoc --proto_path=. --go_out=. --go_opt=paths=source_relative webpubsub.proto
