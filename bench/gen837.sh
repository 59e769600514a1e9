# bench/gen837.sh — sourced by bench/x12.sh and bench/intake.sh: gen N F
# prints one 837P interchange of N generated claims, B<F>-1 .. B<F>-N.
# one interchange of N claims, each its own subscriber (2000B), payer and
# claim with four lines; SE01 counts ST..SE
gen() {
	awk -v n="$1" -v f="$2" '
	function out(s) { print s; seg++ }
	BEGIN {
		print "ISA*00*          *00*          *ZZ*CLAIMSCRUBTEST *ZZ*CLEARINGHOUSE  *260314*1200*^*00501*000000101*0*T*:~"
		print "GS*HC*CLAIMSCRUBTEST*CLEARINGHOUSE*20260314*1200*101*X*005010X222A1~"
		out("ST*837*0001*005010X222A1~")
		out("BHT*0019*00*PB20260314A*20260314*1200*CH~")
		out("NM1*41*2*NORTHSIDE INFUSION CLINIC*****46*NIC0001~")
		out("PER*IC*BILLING OFFICE*TE*5555550100~")
		out("NM1*40*2*EXAMPLE CLEARINGHOUSE*****46*EXCH01~")
		out("HL*1**20*1~")
		out("NM1*85*2*NORTHSIDE INFUSION CLINIC*****XX*1234567893~")
		out("N3*100 MAIN STREET~")
		out("N4*SPRINGFIELD*IL*627010001~")
		out("REF*EI*371234567~")
		for (i = 1; i <= n; i++) {
			out("HL*" (i + 1) "*1*22*0~")
			out("SBR*P*18*******MB~")
			out("NM1*IL*1*DOE*JANE****MI*1EG4TE5MK72~")
			out("NM1*PR*2*MEDICARE PART B*****PI*00430~")
			out("CLM*B" f "-" i "*410***11:B:1*Y*A*Y*Y~")
			out("HI*ABK:C3490~")
			out("NM1*82*1*SMITH*ALEX****XX*1987654328~")
			out("LX*1~"); out("SV1*HC:96413*260*UN*1***1~"); out("DTP*472*D8*20260302~")
			out("LX*2~"); out("SV1*HC:96415*80*UN*1***1~"); out("DTP*472*D8*20260302~")
			out("LX*3~"); out("SV1*HC:J9045*50*UN*2***1~"); out("DTP*472*D8*20260302~")
			out("LX*4~"); out("SV1*HC:96375:59*20*UN*1***1~"); out("DTP*472*D8*20260302~")
		}
		seg++
		print "SE*" seg "*0001~"
		print "GE*1*101~"
		print "IEA*1*000000101~"
	}'
}
