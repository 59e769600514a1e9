#!/bin/sh
# bench/fhir.sh BENCH [N] — records/s of fhir_read() on one core over an
# NDJSON file of N generated MedicationAdministration resources (default
# 200000), against floors over the same bytes in the same run (bench/fhir.c:
# finding the lines, libyaml's events and ynode trees as the reader had
# before json.c, json.c's trees).  A mix like a day of an
# infusion centre's MAR: infusions with a period (RxNorm, SNOMED route),
# pushes at an instant (RxNorm and NDC, v2-0162 route), hydration bags
# restarted as part of an earlier one, chemotherapy from a contained
# Medication with a HCPCS J-code.  Prints a markdown table row.
set -eu
bench=$1 n=${2:-200000}
t=$(mktemp -d /tmp/csfhir.XXXXXX)
trap 'rm -rf "$t"' EXIT
awk -v n="$n" 'BEGIN {
	rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
	sn = "http://snomed.info/sct"
	v2 = "http://terminology.hl7.org/CodeSystem/v2-0162"
	for (i = 0; i < n; i++) {
		h = 7 + i % 10; m = i % 60; e = "enc-" int(i / 5)
		head = sprintf("{\"resourceType\":\"MedicationAdministration\",\"id\":\"ma-%d\",\"meta\":{\"versionId\":\"1\",\"lastUpdated\":\"2026-03-02T20:00:00Z\"},", i)
		subj = sprintf("\"subject\":{\"reference\":\"Patient/pat-%d\"},\"context\":{\"reference\":\"Encounter/%s\"},", int(i / 5), e)
		k = i % 10
		if (k < 4) {
			printf "%s\"status\":\"completed\",\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"%s\",\"code\":\"1665005\",\"display\":\"ceftriaxone 1000 MG Injection\"}],\"text\":\"Ceftriaxone 1 g in 100 mL NS\"},%s\"effectivePeriod\":{\"start\":\"2026-03-02T%02d:%02d:00-05:00\",\"end\":\"2026-03-02T%02d:%02d:00-05:00\"},\"request\":{\"reference\":\"MedicationRequest/mr-%d\"},\"dosage\":{\"site\":{\"text\":\"left forearm\"},\"route\":{\"coding\":[{\"system\":\"%s\",\"code\":\"47625008\",\"display\":\"Intravenous route\"}]},\"method\":{\"text\":\"IV infusion\"},\"dose\":{\"value\":1,\"unit\":\"g\"}}}\n", head, rx, subj, h, m, h + 1, m, i, sn
		} else if (k < 7) {
			printf "%s\"status\":\"completed\",\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"%s\",\"code\":\"312086\",\"display\":\"ondansetron 2 MG/ML Injectable Solution\"},{\"system\":\"http://hl7.org/fhir/sid/ndc\",\"code\":\"0000-1111-22\"}]},%s\"effectiveDateTime\":\"2026-03-02T%02d:%02d:00-05:00\",\"dosage\":{\"site\":{\"coding\":[{\"system\":\"%s\",\"code\":\"368209003\",\"display\":\"Right upper arm\"}]},\"route\":{\"coding\":[{\"system\":\"%s\",\"code\":\"IV\",\"display\":\"Intravenous\"}]},\"method\":{\"text\":\"IV push\"}}}\n", head, rx, subj, h, m, sn, v2
		} else if (k < 9) {
			printf "%s\"status\":\"%s\",\"partOf\":[{\"reference\":\"MedicationAdministration/ma-%d\"}],\"medicationCodeableConcept\":{\"coding\":[{\"system\":\"%s\",\"code\":\"313002\",\"display\":\"sodium chloride 9 MG/ML Injectable Solution\"}],\"text\":\"Normal saline 1000 mL\"},%s\"effectivePeriod\":{\"start\":\"2026-03-02T%02d:%02d:00-05:00\",\"end\":\"2026-03-02T%02d:%02d:00-05:00\"},\"dosage\":{\"site\":{\"text\":\"left forearm\"},\"route\":{\"coding\":[{\"system\":\"%s\",\"code\":\"47625008\",\"display\":\"Intravenous route\"}]}}}\n", head, k == 7 ? "on-hold" : "completed", i - 1, rx, subj, h, m, h + 1, m, sn
		} else {
			printf "%s\"contained\":[{\"resourceType\":\"Medication\",\"id\":\"m\",\"code\":{\"coding\":[{\"system\":\"http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets\",\"code\":\"J9045\",\"display\":\"Injection, carboplatin, 50 mg\"}],\"text\":\"Carboplatin 400 mg\"}}],\"status\":\"completed\",\"medicationReference\":{\"reference\":\"#m\"},%s\"effectivePeriod\":{\"start\":\"2026-03-02T%02d:%02d:00-05:00\",\"end\":\"2026-03-02T%02d:%02d:00-05:00\"},\"dosage\":{\"site\":{\"text\":\"right chest port\"},\"route\":{\"coding\":[{\"system\":\"%s\",\"code\":\"IV\"}]},\"method\":{\"text\":\"IV infusion, chemotherapy\"}}}\n", head, subj, h, m, h + 1, m, v2
		}
	}
}' >"$t/mar.ndjson"
bytes=$(wc -c <"$t/mar.ndjson")
out=$(taskset -c 0 "$bench" "$t/mar.ndjson" 3)
rate() { echo "$out" | awk -v s="$1" '$1 == s {printf "%d", $5}'; }
mbs() { echo "$out" | awk -v s="$1" '$1 == s {print $7}'; }
echo "| $n | $((bytes / 1048576)) | $(rate lines) | $(rate events) ($(mbs events) MB/s) | $(rate trees) ($(mbs trees) MB/s) | $(rate json) ($(mbs json) MB/s) | $(rate fhir) ($(mbs fhir) MB/s) |"
