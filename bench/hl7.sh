#!/bin/sh
# bench/hl7.sh BENCH [N] — records/s of hl7_read() on one core over a file
# of N generated RAS^O17 messages, one administration each (default
# 200000), against the floor of finding the segments in the same run
# (bench/hl7.c).  The mix of bench/fhir.sh: infusions with a period
# (RxNorm, SNOMED route), pushes at an instant (RxNorm and NDC, table 0162
# route), hydration bags paused and restarted in one order, chemotherapy
# with a HCPCS J-code; each message with MSH, PID, PV1, ORC, RXA, RXR, its
# segments ending in CR.  Prints a markdown table row.
set -eu
bench=$1 n=${2:-200000}
t=$(mktemp -d /tmp/cshl7.XXXXXX)
trap 'rm -rf "$t"' EXIT
awk -v n="$n" 'BEGIN {
	ORS = "\r"
	for (i = 0; i < n; i++) {
		h = 7 + i % 10; m = i % 60; e = "enc-" int(i / 5); k = i % 10
		t0 = sprintf("20260302%02d%02d-0500", h, m)
		t1 = sprintf("20260302%02d%02d-0500", h + 1, m)
		print "MSH|^~\\&|MAR|INFUSION-4W|CLAIMSCRUB|BILLING|20260302200000-0500||RAS^O17^RAS_O17|msg-" i "|P|2.5.1"
		print "PID|1||pat-" int(i / 5) "^^^GENHOSP^MR||Example^Pat"
		print "PV1|1|O|INF^4W^1||||||||||||||||" e "^^^GENHOSP^VN"
		if (k < 4) {
			print "ORC|RE|mr-" i "^MAR|ph-" i "^PHARM||IP"
			print "RXA|0|1|" t0 "|" t1 "|1665005^ceftriaxone 1000 MG Injection^RXNORM^^^^^^Ceftriaxone 1 g in 100 mL NS|1|g^gram^UCUM|||||||||||||CP|A"
			print "RXR|47625008^Intravenous route^SCT|^left forearm||^IV infusion"
		} else if (k < 7) {
			print "ORC|RE|mr-" i "^MAR|ph-" i "^PHARM||IP"
			print "RXA|0|1|" t0 "|" t0 "|312086^ondansetron 2 MG/ML Injectable Solution^RXNORM^0000-1111-22^^NDC|4|mg^milligram^UCUM|||||||||||||CP|A"
			print "RXR|IV^Intravenous^HL70162|368209003^Right upper arm^SCT||^IV push"
		} else if (k < 9) {
			print "ORC|RE|mr-" (i - k + 7) "^MAR|ph-" (i - k + 7) "^PHARM||" (k == 7 ? "HD" : "IP")
			print "RXA|0|" (k - 6) "|" t0 "|" t1 "|313002^sodium chloride 9 MG/ML Injectable Solution^RXNORM^^^^^^Normal saline 1000 mL|330|mL^milliliter^UCUM|||||||||||||" (k == 7 ? "PA" : "CP") "|A"
			print "RXR|47625008^Intravenous route^SCT|^left forearm"
		} else {
			print "ORC|RE|mr-" i "^MAR|ph-" i "^PHARM||CM"
			print "RXA|0|1|" t0 "|" t1 "|J9045^Injection, carboplatin, 50 mg^HCPCS^^^^^^Carboplatin 400 mg|400|mg^milligram^UCUM|||||||||||||CP|A"
			print "RXR|IV^^HL70162|^right chest port||^IV infusion, chemotherapy"
		}
	}
}' >"$t/ras.hl7"
bytes=$(wc -c <"$t/ras.hl7")
out=$(taskset -c 0 "$bench" "$t/ras.hl7" 3)
rate() { echo "$out" | awk -v s="$1" '$1 == s {printf "%d", $5}'; }
mbs() { echo "$out" | awk -v s="$1" '$1 == s {print $7}'; }
echo "| $n | $((bytes / 1048576)) | $(rate segments) ($(mbs segments) MB/s) | $(rate hl7) ($(mbs hl7) MB/s) |"
