// Package examples holds no code of its own: its test runs the README's
// demos (examples/udpecho and examples/httpsd on a TAP, with
// examples/netns.sh standing in for the rest of the network) as a user
// pastes them, twice in a row.
package examples
