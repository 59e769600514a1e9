/*
 * x12 — a strict reader of X12 005010 837 health care claims: 837P
 * (professional, 005010X222A1) and 837I (institutional, 005010X223A2).
 *
 * It reads one interchange (ISA ... IEA) from a buffer, takes its
 * delimiters from the ISA segment, checks the envelope (control numbers
 * and counts of ISA/IEA, GS/GE, ST/SE), walks the hierarchical levels
 * (2000A billing provider, 2000B subscriber, 2000C patient) and reads each
 * claim (loop 2300) with its service lines (loop 2400) into the claim
 * model (claim.h), plus what the model has no field for yet (struct
 * x12_claim).  The claim's setting is the form's (837I facility, 837P
 * professional) until setmap.h maps its CLM05-1 under the rules in force,
 * which this reader does not hold.  Segments it does not need are counted
 * and checked for syntax, not read.  An 837 carries no administration
 * times: the claims have none.
 *
 * Strict: every element read must be present and well formed (real
 * calendar dates, amounts with at most two decimals, whole units, codes of
 * their shape, NPIs with a good check digit); anything else is an input
 * error.  The reading is all-or-nothing: one error and no claim is handed
 * back.  Sizes are capped below; the reader never recurses on its input.
 *
 * Diagnostics name FILE:LINE:COLUMN (of the element, or of the segment)
 * and, in the message, the element, the segment's number in the file (ISA
 * is 1) and its id: `claims.837:14:23: error: CLM05-3: claim frequency '9'
 * is not 1, 7 or 8 (segment 14, CLM)`.  A file without line breaks is all
 * on line 1, the column its byte offset plus one.
 */
#ifndef SCRUBBER_X12_H
#define SCRUBBER_X12_H

#include <stddef.h>
#include <stdint.h>

#include "claim.h"
#include "diag.h"

/* An 837 file larger than this is refused (senders split big batches;
 * 16 MiB is tens of thousands of claims). */
#define X12_MAX_BYTES ((size_t)16 << 20)
/* Segments in a file; more is refused before they are read. */
#define X12_MAX_SEGMENTS 1000000u
/* Elements of one segment after its id (CLM has 20, ISA 16, HI 12). */
#define X12_MAX_ELEMENTS 32
/* Components of one composite element (HI's have 9, SV101 has 8). */
#define X12_MAX_COMPONENTS 12
/* Bytes of one element (the guides' longest, MSG01, is 264). */
#define X12_MAX_ELEMENT_BYTES 512
/* Claims in a file: the guides' repeat of loop 2300 under one 2000B. */
#define X12_MAX_CLAIMS 5000u
/* Service lines of a claim: loop 2400 repeats 50 times in the 837P
 * guide, 999 in the 837I. */
#define X12_MAX_LINES_P 50u
#define X12_MAX_LINES_I 999u
/* Errors reported per file; then one more says the reading stopped. */
#define X12_MAX_DIAGS 100u

/* Which guide the transaction sets follow (GS08, ST03). */
enum x12_kind { X12_837P, X12_837I };

/* CLM05-3, the claim frequency code, as its character. */
enum x12_frequency {
	X12_ORIGINAL = '1',
	X12_REPLACEMENT = '7',
	X12_VOID = '8'
};

/* What a service line says beyond struct claim_line. */
struct x12_line {
	int64_t charge;		  /* SV102 / SV203, in cents */
	const char *unit_basis;	  /* SV103 / SV204: "UN" or "MJ" (837P) */
	const char *revenue_code; /* SV201, 4 digits; NULL in an 837P */
	const char *ndc;	  /* LIN03 (N4), 11 digits; NULL when none */
};

/* One claim: the model's claim and what the model has no field for yet.
 * Strings are borrowed from the reader's arena. */
struct x12_claim {
	struct claim claim;	      /* lines as read; no administrations */
	const struct x12_line *lines; /* claim.nlines, parallel to its lines */
	enum x12_kind kind;
	enum x12_frequency frequency;
	int64_t total_charge;	    /* CLM02, in cents */
	const char *facility_code;  /* CLM05-1: place of service (837P) or
				      facility type (837I), 2 digits */
	const char *billing_npi;    /* 2010AA NM109 */
	const char *rendering_npi;  /* 2310B NM1*82 (837P) or 2310A NM1*71
				      (837I); NULL when none */
	const char *payer_id;	    /* 2010BB NM109; NULL when none */
	const char *payer_name;	    /* 2010BB NM103 */
	const char *medical_record; /* 2300 REF*EA REF02 (the provider's
				       record or encounter number); NULL
				       when none */
	bool has_statement;	    /* 837I DTP*434 */
	int32_t statement_from, statement_to; /* days since 1970-01-01 */
	unsigned segment; /* the CLM's segment number in the file */
	/* where CLM05-1 is (1-based), for setmap.h's messages */
	unsigned facility_line, facility_column;
};

struct x12;

/*
 * Reads the 837 interchange in buf (len bytes; file names it in
 * diagnostics).  On success *out holds every claim, in file order, and is
 * freed with x12_free.  On any error *out is NULL and dl holds every
 * error found (at most X12_MAX_DIAGS, then one saying the reading
 * stopped); returns SCRUB_EINPUT, SCRUB_ELIMIT (len over X12_MAX_BYTES,
 * or too many segments, claims or lines) or SCRUB_ENOMEM.
 */
enum scrub_err x12_parse(const char *file, const char *buf, size_t len,
			 struct x12 **out, struct diag_list *dl);

/* The number of claims read. */
size_t x12_count(const struct x12 *x);

/* The i-th claim (0-based), or NULL past the end. */
const struct x12_claim *x12_claim(const struct x12 *x, size_t i);

/* Frees the reader and every claim.  NULL is a no-op. */
void x12_free(struct x12 *x);

/* True when s (len bytes) is a 10-digit NPI whose last digit is its Luhn
 * check digit over the prefix 80840 and the first nine (the NPI
 * standard, 45 CFR 162.406). */
bool x12_npi_valid(const char *s, size_t len);

/* An amount in cents with two decimals ("125.00", "0.07") into buf, for
 * messages. */
void x12_format_amount(int64_t cents, char *buf, size_t size);

#endif
