/*
 * claimyaml — string-literal builders for the administrations of inline
 * claim documents in unit tests (all on 2026-03-14; times are "HH:MM").
 */
#ifndef TESTS_CLAIMYAML_H
#define TESTS_CLAIMYAML_H

#define TIMED(id, substance, kind, route, site, start, stop) \
	"  - id: " id "\n    substance: " substance "\n    kind: " kind \
	"\n    route: " route "\n    site: " site \
	"\n    start: 2026-03-14T" start "\n    stop: 2026-03-14T" stop "\n"
#define INFUSION(id, substance, site, start, stop) \
	TIMED(id, substance, "therapeutic", "infusion", site, start, stop)
#define CHEMO(id, substance, site, start, stop) \
	TIMED(id, substance, "chemotherapy", "infusion", site, start, stop)
#define HYDRATION(id, site, start, stop) \
	TIMED(id, "normal saline", "hydration", "infusion", site, start, stop)
#define SEPARATE "    separate_site_required: true\n"

#endif
