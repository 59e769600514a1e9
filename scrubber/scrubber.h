/*
 * scrubber — the claimscrub engine, as one umbrella header.
 *
 *   rules_load_dirs()    rule files into an immutable struct ruleset
 *   claimdoc_parse()     claim documents (YAML/JSON) into struct claim
 *   scrub_claim()        a claim + a rule set into a struct result
 *   result_json()        a result as the JSON of design.md
 *   claimjson_write()    a claim as its claim document in JSON
 *   claimyaml_write()    a claim as its claim document in YAML
 *   fix_apply()          a result's suggestions applied to its claim
 *   x12_parse()          X12 837P/837I claims into struct claim
 *   fhir_read()          FHIR MedicationAdministration into MAR records
 *   hl7_read()           HL7 v2 RAS^O17 administrations into MAR records
 *
 * The library never prints and never exits; every fallible call returns an
 * enum scrub_err and puts details for people in a struct diag_list.
 */
#ifndef SCRUBBER_SCRUBBER_H
#define SCRUBBER_SCRUBBER_H

#include "arena.h"
#include "claim.h"
#include "claimdoc.h"
#include "claimjson.h"
#include "claimyaml.h"
#include "diag.h"
#include "fhir.h"
#include "fileio.h"
#include "fix.h"
#include "finding.h"
#include "hl7.h"
#include "isotime.h"
#include "marpair.h"
#include "marrec.h"
#include "result.h"
#include "rules.h"
#include "scrub.h"
#include "setmap.h"
#include "strbuf.h"
#include "utf8.h"
#include "x12.h"

#endif
