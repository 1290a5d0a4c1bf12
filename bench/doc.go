// Package bench holds benchmarks that compare medina with the tools and
// libraries it is measured against, and the scripts that run them side by
// side (netdump-vs-tcpdump.sh). Its Go benchmarks decode captures with
// medina's wire formats and with gopacket's DecodingLayerParser in the same
// run.
package bench
