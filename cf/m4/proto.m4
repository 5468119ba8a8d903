divert(-1)
#
# proto.m4 - write the .cf file.  Runs at the end of input (cf.m4 puts
# it in m4wrap), so every define of the .mc file is known, wherever it
# stood.  Output is sendmail.cf syntax: V, D, C, F, K, O, H, P, T and M
# lines, no rewriting rules; features that sendmail expresses only in
# rules are words of the class {Features}.
#
define(`_IFDEF_LINE_', `ifdef(`$1', `$2
')')
#
# The V line starts a line of its own whatever text the .mc left
# without a newline before it (a call followed by dnl, say).
#
divert(0)
V`'CF_LEVEL`'ifdef(`NO_VENDOR', `', `/ifdef(`VENDOR_NAME', `VENDOR_NAME', `Berkeley')')

#####  local information  #####
Cwlocalhost
ifdef(`_FEATURE_use_cw_file_', `define(`USE_CW_FILE', `1')')dnl
ifdef(`USE_CW_FILE', `Fw`'ifdef(`confCW_FILE', `confCW_FILE', `MAIL_SETTINGS_DIR`'local-host-names')
')dnl
_IFDEF_LINE_(`confDOMAIN_NAME', `Dj`'confDOMAIN_NAME')dnl
CP.
DS`'ifdef(`SMART_HOST', `SMART_HOST')
_IFDEF_LINE_(`MAIL_HUB', `DH`'MAIL_HUB')dnl
_IFDEF_LINE_(`LOCAL_RELAY', `DR`'LOCAL_RELAY')dnl
ifdef(`LUSER_RELAY', `Kuser user -m -a<>
DL`'LUSER_RELAY
')dnl
_IFDEF_LINE_(`MASQUERADE_NAME', `DM`'MASQUERADE_NAME')dnl
CO @ % ifdef(`_FEATURE_nouucp_', `', `!')
C..
C[[
ifdef(`_FEATURE_access_db_', `C{Accept}OK RELAY
C{SpamTag}SPAMFRIEND SPAMHATER
Kmacro macro
C{Tls}VERIFY ENCR
C{TlsVerified}OK TRUSTED
C{Src}E F D U
')dnl
ifdef(`_FEATURE_accept_unresolvable_domains_', `',
`Kresolve host -a<OKR> -T<TEMP>
')dnl
C{ResOk}OKR
FR-o MAIL_SETTINGS_DIR`'relay-domains
Karith arith
Kdequote dequote
Dn`'ifdef(`confMAILER_NAME', `confMAILER_NAME', ``MAILER-DAEMON'')
DZ`'ifdef(`confCF_VERSION', `_CF_VERSION_/confCF_VERSION', `_CF_VERSION_')
_IFDEF_LINE_(`_FEATURE_redirect_', `CPREDIRECT')dnl
_IFDEF_LINE_(`_FEATURE_use_ct_file_', `Ft`'ifdef(`confCT_FILE', `confCT_FILE', `MAIL_SETTINGS_DIR`'trusted-users')')dnl
_IFDEF_LINE_(`_ACCESS_SPEC_', `Kaccess _ACCESS_SPEC_')dnl
_IFDEF_LINE_(`_MAILERTABLE_SPEC_', `Kmailertable _MAILERTABLE_SPEC_')dnl
_IFDEF_LINE_(`_VIRTUSER_SPEC_', `Kvirtuser _VIRTUSER_SPEC_')dnl
_IFDEF_LINE_(`_GENERICS_SPEC_', `Kgenerics _GENERICS_SPEC_')dnl
_IFDEF_LINE_(`_DOMAINTABLE_SPEC_', `Kdomaintable _DOMAINTABLE_SPEC_')dnl
_IFDEF_LINE_(`_AUTHINFO_SPEC_', `Kauthinfo _AUTHINFO_SPEC_')dnl
undivert(2)dnl
_IFDEF_LINE_(`_CF_FEATURES_', `C{Features}_CF_FEATURES_')dnl
_IFDEF_LINE_(`_GREET_PAUSE_', `D{greet_pause}_GREET_PAUSE_')dnl
_IFDEF_LINE_(`_ALWAYS_ADD_DOMAIN_', `D{always_add_domain}_ALWAYS_ADD_DOMAIN_')dnl
undivert(6)dnl

#####  options  #####
define(`_OPT_', `ifdef(`$1',
	`ifelse(defn(`$1'), `_CF_OMIT_', `', `O $2=$1
')',
	`ifelse(`$3', `', `#O $2
', `O $2=$3
')')')dnl
_CF_OPTIONS_`'dnl
ifdef(`_DAEMON_OPTIONS_SEEN_', `undivert(3)', `O DaemonPortOptions=Name=MTA
')dnl
ifdef(`_FEATURE_no_default_msa_', `', `O DaemonPortOptions=Port=587, Name=MSA, M=E
')dnl
ifdef(`_CLIENT_OPTIONS_SEEN_', `undivert(4)', `#O ClientPortOptions=Family=inet, Address=0.0.0.0
')dnl

#####  headers  #####
H?P?Return-Path: <$g>
HReceived: $?sfrom $s $.$?_($?s$|from $.$_)
	$.$?{auth_type}(authenticated$?{auth_ssf} bits=${auth_ssf}$.)
	$.by $j ($v/$Z)$?r with $r$. id $i$?{tls_version}
	(version=${tls_version} cipher=${cipher} bits=${cipher_bits} verify=${verify})$.$?u
	for $u; $|;
	$.$b
H?D?Resent-Date: $a
H?D?Date: $a
H?F?Resent-From: $?x$x <$g>$|$g$.
H?F?From: $?x$x <$g>$|$g$.
H?x?Full-Name: $x
H?M?Resent-Message-Id: <$t.$i@$j>
H?M?Message-Id: <$t.$i@$j>

#####  precedences and trusted users  #####
Pfirst-class=0
Pspecial-delivery=100
Plist=-30
Pbulk=-60
Pjunk=-100
Troot
Tdaemon
Tuucp

#####  mailers  #####
include(_CF_DIR_`m4/mailers.m4')dnl
undivert(7)dnl
ifdef(`_CF_FAILED_', `errprint(`*** ERROR: the configuration has errors (see above); m4 exits 1
')m4exit(`1')')dnl
