/*
 * sm_opt_table - every sendmail option: its row in the table of
 * sm_opt_int.h, and the words of the options that take words.
 */
#include "sm_opt_int.h"

#include <limits.h>
#include <stddef.h>

const struct word sm_opt_deliverymode_words[] = {
	{ "interactive", 'i' }, { "background", 'b' }, { "queueonly", 'q' },
	{ "deferred", 'd' }, { NULL, 0 }
};
static const struct word errormode_words[] = {
	{ "print", 'p' }, { "mail", 'm' }, { "write", 'w' }, { "quiet", 'q' },
	{ "ehandling", 'e' }, { NULL, 0 }
};
static const struct word eightbit_words[] = {
	{ "mimefy", 'm' }, { "pass8", 'p' }, { "strict", 's' }, { NULL, 0 }
};
static const struct word sortorder_words[] = {
	{ "priority", 'p' }, { "host", 'h' }, { "time", 't' },
	{ "filename", 'f' }, { "modification", 'm' }, { "random", 'r' },
	{ "none", 'n' }, { NULL, 0 }
};
static const struct word supersafe_words[] = {
	{ "True", 't' }, { "False", 'f' }, { "interactive", 'i' },
	{ "postmilter", 'p' }, { "yes", 't' }, { "no", 'f' }, { NULL, 0 }
};
static const struct word dpi_words[] = {
	{ "True", 't' }, { "False", 'f' }, { "loopback", 'l' },
	{ "yes", 't' }, { "no", 'f' }, { NULL, 0 }
};

const struct sm_opt_privacy sm_opt_privacy_words[] = {
	{ "public", 0 },
	{ "needmailhelo", SM_PRIV_NEEDMAILHELO },
	{ "needexpnhelo", SM_PRIV_NEEDEXPNHELO },
	{ "needvrfyhelo", SM_PRIV_NEEDVRFYHELO },
	{ "noexpn", SM_PRIV_NOEXPN },
	{ "novrfy", SM_PRIV_NOVRFY },
	{ "noverb", SM_PRIV_NOVERB },
	{ "authwarnings", SM_PRIV_AUTHWARNINGS },
	{ "restrictmailq", SM_PRIV_RESTRICTMAILQ },
	{ "restrictqrun", SM_PRIV_RESTRICTQRUN },
	{ "restrictexpand", SM_PRIV_RESTRICTEXPAND },
	{ "noreceipts", SM_PRIV_NORECEIPTS },
	{ "noetrn", SM_PRIV_NOETRN },
	{ "nobodyreturn", SM_PRIV_NOBODYRETURN },
	{ "noactualrecipient", SM_PRIV_NOACTUALRECIPIENT },
	{ "goaway", SM_PRIV_NEEDMAILHELO | SM_PRIV_NEEDEXPNHELO |
	    SM_PRIV_NEEDVRFYHELO | SM_PRIV_NOEXPN | SM_PRIV_NOVRFY |
	    SM_PRIV_NOVERB | SM_PRIV_AUTHWARNINGS },
};

/*
 * DontBlameSendmail words in the order of enum sm_dbs, spelled as
 * sendmail's documentation spells them; "safe" (none) is not a bit.
 */
const char *const sm_opt_dbs_words[SM_DBS_N] = {
	"AssumeSafeChown", "ClassFileInUnsafeDirPath",
	"DontWarnForwardFileInUnsafeDirPath", "ErrorHeaderInUnsafeDirPath",
	"FileDeliveryToHardLink", "FileDeliveryToSymLink",
	"ForwardFileInGroupWritableDirPath", "ForwardFileInUnsafeDirPath",
	"ForwardFileInUnsafeDirPathSafe", "GroupReadableDefaultAuthInfoFile",
	"GroupReadableKeyFile", "GroupReadableSASLDBFile",
	"GroupWritableAliasFile", "GroupWritableDirPathSafe",
	"GroupWritableForwardFile", "GroupWritableForwardFileSafe",
	"GroupWritableIncludeFile", "GroupWritableIncludeFileSafe",
	"GroupWritableSASLDBFile", "HelpFileInUnsafeDirPath",
	"IncludeFileInGroupWritableDirPath", "IncludeFileInUnsafeDirPath",
	"IncludeFileInUnsafeDirPathSafe", "InsufficientEntropy",
	"LinkedAliasFileInWritableDir", "LinkedClassFileInWritableDir",
	"LinkedForwardFileInWritableDir", "LinkedIncludeFileInWritableDir",
	"LinkedMapInWritableDir", "LinkedServiceSwitchFileInWritableDir",
	"MapInUnsafeDirPath", "NonRootSafeAddr", "RunProgramInUnsafeDirPath",
	"RunWritableProgram", "TrustStickyBit", "WorldWritableAliasFile",
	"WorldWritableForwardFile", "WorldWritableIncludeFile",
	"WriteMapToHardLink", "WriteMapToSymLink", "WriteStatsToHardLink",
	"WriteStatsToSymLink",
};


#define OFF(f)	offsetof(struct sm_options, f)
#define NOLIM	0, LONG_MAX

#define B(n, l, f, d, fl)	{ n, l, T_BOOL, OFF(f), 1, d, 0, 0, 0, NULL, fl }
#define L(n, l, f, d, lo, hi, fl) \
				{ n, l, T_LONG, OFF(f), 1, d, 0, lo, hi, NULL, fl }
#define D(n, l, f, d, u, fl)	{ n, l, T_DUR, OFF(f), 1, d, u, NOLIM, NULL, fl }
#define M(n, l, f, d, fl)	{ n, l, T_MODE, OFF(f), 1, d, 0, 0, 0777, NULL, fl }
#define S(n, l, f, d, fl)	{ n, l, T_STR, OFF(f), 1, d, 0, 0, 0, NULL, fl }
#define LIST(n, l, f, d, fl)	{ n, l, T_LIST, OFF(f), 1, d, 0, 0, 0, NULL, fl }
#define E(n, l, f, d, w, fl)	{ n, l, T_ENUM, OFF(f), 1, d, 0, 0, 0, w, fl }
#define TO(n, f, d, u, fl) \
	{ "Timeout." n, 0, T_DUR, OFF(to.f), 1, d, u, NOLIM, NULL, fl }
#define TOG(n, f, cnt, d, u, fl) \
	{ "Timeout." n, 0, T_DUR, OFF(to.f), cnt, d, u, NOLIM, NULL, fl }

/*
 * The table.  Defaults are sendmail 8.17's binary defaults (its
 * setdefaults() and inittimeouts()), not the commented examples that
 * cf.m4 writes, except where a row says why not (man/sendmaild.7 lists
 * them).  Keep it sorted by name for the reader's sake; the code does
 * not depend on the order.
 */
const struct row sm_opt_rows[] = {
	S("AliasFile", 'A', AliasFile, "", F_INFORCE),
	D("AliasWait", 'a', AliasWait, "0", 'm', 0),
	B("AllowBogusHELO", 0, AllowBogusHELO, "False", F_INFORCE),
	/* Ours: may the client send a password (PLAIN, LOGIN) without TLS? */
	B("AllowCleartextAuth", 0, AllowCleartextAuth, "False", F_INFORCE),
	L("AuthMaxBits", 0, AuthMaxBits, "0", 0, INT_MAX, 0),
	S("AuthMechanisms", 0, AuthMechanisms,
	    "EXTERNAL GSSAPI KERBEROS_V4 DIGEST-MD5 CRAM-MD5", F_INFORCE),
	S("AuthOptions", 0, AuthOptions, "", F_INFORCE),
	S("AuthRealm", 0, AuthRealm, "", F_INFORCE),
	B("AutoRebuildAliases", 'D', AutoRebuildAliases, "False", 0),
	L("BadRcptThrottle", 0, BadRcptThrottle, "0", 0, INT_MAX, 0),
	{ "BlankSub", 'B', T_CHAR, OFF(BlankSub), 1, "", 0, 0, 0, NULL, 0 },
	S("CACertFile", 0, CACertFile, "", F_INFORCE),
	S("CACertPath", 0, CACertPath, "", F_INFORCE),
	S("CertFingerprintAlgorithm", 0, CertFingerprintAlgorithm, "", 0),
	B("CheckAliases", 'n', CheckAliases, "False", 0),
	L("CheckpointInterval", 'C', CheckpointInterval, "10", 0, INT_MAX,
	    F_INFORCE),
	S("CipherList", 0, CipherList, "", F_INFORCE),
	L("ClassFactor", 'z', ClassFactor, "1800", 0, LONG_MAX, 0),
	S("ClientCertFile", 0, ClientCertFile, "", F_INFORCE),
	S("ClientKeyFile", 0, ClientKeyFile, "", F_INFORCE),
	/* Ours: where users' submissions wait while the daemon is down. */
	S("ClientQueueDirectory", 0, ClientQueueDirectory,
	    "/var/spool/mqueue-client", F_INFORCE),
	LIST("ClientPortOptions", 0, ClientPortOptions, "", 0),
	S("ClientSSLOptions", 0, ClientSSLOptions, "", F_INFORCE),
	B("ColonOkInAddr", 0, ColonOkInAddr, "False", 0),
	L("ConnectionCacheSize", 'k', ConnectionCacheSize, "1", 0, 1000, F_INFORCE),
	D("ConnectionCacheTimeout", 'K', ConnectionCacheTimeout, "5m", 'm',
	    F_INFORCE),
	L("ConnectionRateThrottle", 0, ConnectionRateThrottle, "0", 0,
	    INT_MAX, F_INFORCE),
	D("ConnectionRateWindowSize", 0, ConnectionRateWindowSize, "60s",
	    's', F_INFORCE),
	S("ConnectOnlyTo", 0, ConnectOnlyTo, "", 0),
	S("ControlSocketName", 0, ControlSocketName, "", 0),
	S("CRLFile", 0, CRLFile, "", F_INFORCE),
	S("CRLPath", 0, CRLPath, "", 0),
	LIST("DaemonPortOptions", 'O', DaemonPortOptions, "Name=MTA", F_INFORCE),
	L("DataFileBufferSize", 0, DataFileBufferSize, "4096", 0, INT_MAX,
	    0),
	S("DeadLetterDrop", 0, DeadLetterDrop, "", 0),
	S("DefaultAuthInfo", 0, DefaultAuthInfo, "", 0),
	S("DefaultCharSet", 0, DefaultCharSet, "unknown-8bit", 0),
	S("DefaultUser", 'u', DefaultUser, NULL, F_INFORCE),
	L("DelayLA", 0, DelayLA, "0", 0, INT_MAX, 0),
	D("DeliverByMin", 0, DeliverByMin, "0", 's', 0),
	/* Ours: resident processes for DeliveryMode=background. */
	L("DeliveryAgents", 0, DeliveryAgents, "2", 0, 64, F_INFORCE),
	E("DeliveryMode", 'd', DeliveryMode, "background",
	    sm_opt_deliverymode_words, F_INFORCE),
	S("DHParameters", 0, DHParameters, "", F_INFORCE),
	D("DialDelay", 0, DialDelay, "0", 's', 0),
	S("DirectSubmissionModifiers", 0, DirectSubmissionModifiers, "", 0),
	{ "DontBlameSendmail", 0, T_DBS, OFF(DontBlameSendmail), 1, "safe", 0,
	    0, 0, NULL, F_INFORCE },
	B("DontExpandCnames", 0, DontExpandCnames, "False", 0),
	B("DontInitGroups", 0, DontInitGroups, "False", 0),
	E("DontProbeInterfaces", 0, DontProbeInterfaces, "False", dpi_words,
	    F_INFORCE),
	B("DontPruneRoutes", 'R', DontPruneRoutes, "False", 0),
	S("DoubleBounceAddress", 0, DoubleBounceAddress, "postmaster", F_INFORCE),
	E("EightBitMode", '8', EightBitMode, "pass8", eightbit_words, 0),
	S("ErrorHeader", 'E', ErrorHeader, "", 0),
	E("ErrorMode", 'e', ErrorMode, "print", errormode_words, 0),
	S("FallbackMXhost", 'V', FallbackMXhost, "", 0),
	S("FallbackSmartHost", 0, FallbackSmartHost, "", 0),
	L("FastSplit", 0, FastSplit, "1", 0, INT_MAX, 0),
	B("ForkEachJob", 'Y', ForkEachJob, "False", 0),
	S("ForwardPath", 'J', ForwardPath, "$z/.forward.$w:$z/.forward",
	    F_INFORCE),
	S("HeloName", 0, HeloName, "", 0),
	S("HelpFile", 'H', HelpFile, "/etc/mail/helpfile", 0),
	B("HoldExpensive", 'c', HoldExpensive, "False", 0),
	S("HostsFile", 0, HostsFile, "/etc/hosts", 0),
	S("HostStatusDirectory", 0, HostStatusDirectory, "", F_INFORCE),
	B("IgnoreDots", 'i', IgnoreDots, "False", F_INFORCE),
	S("InputMailFilters", 0, InputMailFilters, "", 0),
	S("LDAPDefaultSpec", 0, LDAPDefaultSpec, "", 0),
	/* Ours: the listen(2) backlog when Listen= is not given. */
	L("ListenQueueSize", 0, ListenQueueSize, "256", 1, 65535, F_INFORCE),
	L("LogLevel", 'L', LogLevel, "9", 0, 99, F_INFORCE),
	S("MailboxDatabase", 0, MailboxDatabase, "pw", 0),
	B("MatchGECOS", 'G', MatchGECOS, "False", 0),
	/* Ours: the built-in local delivery's mailboxes. */
	S("MailSpoolDirectory", 0, MailSpoolDirectory, "/var/mail",
	    F_INFORCE),
	L("MaxAliasRecursion", 0, MaxAliasRecursion, "10", 1, 1000,
	    F_INFORCE),
	/* Ours: the part of MaxDaemonChildren, in percent, one address may
	 * hold. */
	L("MaxClientShare", 0, MaxClientShare, "50", 1, 100,
	    F_INFORCE),
	L("MaxDaemonChildren", 0, MaxDaemonChildren, "0", 0, INT_MAX, F_INFORCE),
	L("MaxHeadersLength", 0, MaxHeadersLength, "32768", 0, INT_MAX, F_INFORCE),
	L("MaxHopCount", 'h', MaxHopCount, "25", 1, 1000, F_INFORCE),
	L("MaxMessageSize", 0, MaxMessageSize, "0", 0, LONG_MAX, F_INFORCE),
	S("MaxMimeHeaderLength", 0, MaxMimeHeaderLength, "2048/1024", 0),
	L("MaxNOOPCommands", 0, MaxNOOPCommands, "20", 0, INT_MAX, 0),
	D("MaxQueueAge", 0, MaxQueueAge, "0", 'm', 0),
	L("MaxQueueChildren", 0, MaxQueueChildren, "0", 0, INT_MAX, F_INFORCE),
	L("MaxQueueRunSize", 0, MaxQueueRunSize, "0", 0, INT_MAX, F_INFORCE),
	/*
	 * Not sendmail's 0 (no limit): 1000, as Postfix's
	 * smtpd_recipient_limit (RFC 5321 4.5.3.1.8 asks for at least
	 * 100), so that one transaction cannot grow without bound.  Past
	 * it RCPT gets 452 and the client sends the rest in another one.
	 */
	L("MaxRecipientsPerMessage", 0, MaxRecipientsPerMessage, "1000", 0,
	    INT_MAX, F_INFORCE),
	L("MaxRunnersPerQueue", 0, MaxRunnersPerQueue, "2", 1, 1000,
	    F_INFORCE),
	/* Ours: the longest an SMTP session may last, however it trickles. */
	D("MaxSessionTime", 0, MaxSessionTime, "2h", 'm', F_INFORCE),
	B("MeToo", 'm', MeToo, "True", 0),
	S("Milter.LogLevel", 0, MilterLogLevel, "", 0),
	S("Milter.macros.connect", 0, MilterMacros[0], "", 0),
	S("Milter.macros.data", 0, MilterMacros[1], "", 0),
	S("Milter.macros.envfrom", 0, MilterMacros[2], "", 0),
	S("Milter.macros.envrcpt", 0, MilterMacros[3], "", 0),
	S("Milter.macros.eoh", 0, MilterMacros[4], "", 0),
	S("Milter.macros.eom", 0, MilterMacros[5], "", 0),
	S("Milter.macros.helo", 0, MilterMacros[6], "", 0),
	L("MinFreeBlocks", 'b', MinFreeBlocks, "100", 0, LONG_MAX, F_INFORCE),
	D("MinQueueAge", 0, MinQueueAge, "0", 'm', F_INFORCE),
	S("MustQuoteChars", 0, MustQuoteChars, "@,;:\\()[].'", 0),
	L("NiceQueueRun", 0, NiceQueueRun, "0", 0, 19, 0),
	S("NoRecipientAction", 0, NoRecipientAction, "none", 0),
	B("OldStyleHeaders", 'o', OldStyleHeaders, "False", 0),
	S("OperatorChars", 0, OperatorChars, ".:@[]", 0),
	S("PidFile", 0, PidFile, "/var/run/sendmail.pid", F_INFORCE),
	S("PostmasterCopy", 'P', PostmasterCopy, "", 0),
	{ "PrivacyOptions", 'p', T_PRIV, OFF(PrivacyOptions), 1, "public", 0,
	    0, 0, NULL, F_INFORCE },
	S("ProcessTitlePrefix", 0, ProcessTitlePrefix, "", 0),
	S("QueueDirectory", 'Q', QueueDirectory, "/var/spool/mqueue", F_INFORCE),
	L("QueueFactor", 'q', QueueFactor, "600000", 0, LONG_MAX, 0),
	M("QueueFileMode", 0, QueueFileMode, "0600", F_INFORCE),
	L("QueueLA", 'x', QueueLA, NULL, 0, INT_MAX, 0),
	E("QueueSortOrder", 0, QueueSortOrder, "priority", sortorder_words,
	    F_INFORCE),
	{ "QueueTimeout", 'T', T_QUEUETO, 0, 0, NULL, 0, 0, 0, NULL,
	    F_NOPRINT },
	S("RandFile", 0, RandFile, "", F_INFORCE),
	L("RecipientFactor", 'y', RecipientFactor, "30000", 0, LONG_MAX, F_INFORCE),
	L("RefuseLA", 'X', RefuseLA, NULL, 0, INT_MAX, 0),
	D("RejectLogInterval", 0, RejectLogInterval, "3h", 'h', 0),
	B("RejectNUL", 0, RejectNUL, "False", 0),
	B("RequiresDirfsync", 0, RequiresDirfsync, "True", 0),
	S("ResolverOptions", 'I', ResolverOptions, "", F_INFORCE),
	L("RetryFactor", 'Z', RetryFactor, "90000", 0, LONG_MAX, F_INFORCE),
	B("RrtImpliesDsn", 0, RrtImpliesDsn, "False", 0),
	S("RunAsUser", 0, RunAsUser, "", F_INFORCE),
	S("SafeFileEnvironment", 0, SafeFileEnvironment, "", 0),
	/* Ours: the directory of Cyrus SASL's Sendmail.conf. */
	S("SASLConfigPath", 0, SASLConfigPath, "", F_INFORCE),
	B("SaveFromLine", 'f', SaveFromLine, "False", 0),
	B("SendMimeErrors", 'j', SendMimeErrors, "True", F_INFORCE),
	S("ServerCertFile", 0, ServerCertFile, "", F_INFORCE),
	S("ServerKeyFile", 0, ServerKeyFile, "", F_INFORCE),
	S("ServerSSLOptions", 0, ServerSSLOptions, "", F_INFORCE),
	S("ServiceSwitchFile", 0, ServiceSwitchFile,
	    "/etc/mail/service.switch", 0),
	B("SevenBitInput", '7', SevenBitInput, "False", 0),
	L("SharedMemoryKey", 0, SharedMemoryKey, "0", 0, LONG_MAX, 0),
	S("SharedMemoryKeyFile", 0, SharedMemoryKeyFile, "", 0),
	B("SingleLineFromHeader", 0, SingleLineFromHeader, "False", 0),
	B("SingleThreadDelivery", 0, SingleThreadDelivery, "False", F_INFORCE),
	S("SmtpGreetingMessage", 0, SmtpGreetingMessage,
	    "$j Sendmail $v ready at $b", F_INFORCE),
	B("SoftBounce", 0, SoftBounce, "False", 0),
	S("SSLEngine", 0, SSLEngine, "", 0),
	S("SSLEnginePath", 0, SSLEnginePath, "", 0),
	S("StatusFile", 'S', StatusFile, "", 0),
	E("SuperSafe", 's', SuperSafe, "True", supersafe_words, F_INFORCE),
	M("TempFileMode", 'F', TempFileMode, "0600", 0),
	{ "Timeout", 'r', T_LEGACY_TO, 0, 0, NULL, 0, 0, 0, NULL, F_NOPRINT },
	TO("aconnect", aconnect, "0", 'm', F_INFORCE),
	TO("auth", auth, "10m", 'm', F_INFORCE),
	TO("command", command, "1h", 'm', F_STARRED | F_INFORCE),
	TO("connect", connect, "0", 'm', F_INFORCE),
	TO("control", control, "2m", 'm', 0),
	TO("datablock", datablock, "1h", 'm', F_STARRED | F_INFORCE),
	TO("datafinal", datafinal, "1h", 'm', F_STARRED | F_INFORCE),
	TO("datainit", datainit, "5m", 'm', F_STARRED | F_INFORCE),
	TO("fileopen", fileopen, "60s", 'm', F_INFORCE),
	TO("helo", helo, "5m", 'm', F_INFORCE),
	TO("hoststatus", hoststatus, "30m", 'm', F_INFORCE),
	TO("iconnect", iconnect, "0", 'm', F_INFORCE),
	TO("ident", ident, "5s", 'm', F_INFORCE),
	TO("initial", initial, "5m", 'm', F_INFORCE),
	TO("lhlo", lhlo, "2m", 'm', F_INFORCE),
	TO("mail", mail, "10m", 'm', F_STARRED | F_INFORCE),
	TO("misc", misc, "2m", 'm', F_INFORCE),
	TOG("queuereturn", queuereturn[0], SM_CLASS_N, "5d", 'd',
	    F_NOW | F_INFORCE),
	TO("queuereturn.dsn", queuereturn[SM_CLASS_DSN], "5d", 'd', F_NOW),
	TO("queuereturn.non-urgent", queuereturn[SM_CLASS_NONURGENT], "5d",
	    'd', F_NOW),
	TO("queuereturn.normal", queuereturn[SM_CLASS_NORMAL], "5d", 'd',
	    F_NOW | F_INFORCE),
	TO("queuereturn.urgent", queuereturn[SM_CLASS_URGENT], "5d", 'd',
	    F_NOW),
	TOG("queuewarn", queuewarn[0], SM_CLASS_N, "0", 'h',
	    F_NOW | F_INFORCE),
	TO("queuewarn.dsn", queuewarn[SM_CLASS_DSN], "0", 'h', F_NOW),
	TO("queuewarn.non-urgent", queuewarn[SM_CLASS_NONURGENT], "0", 'h',
	    F_NOW),
	TO("queuewarn.normal", queuewarn[SM_CLASS_NORMAL], "0", 'h',
	    F_NOW | F_INFORCE),
	TO("queuewarn.urgent", queuewarn[SM_CLASS_URGENT], "0", 'h', F_NOW),
	TO("quit", quit, "2m", 'm', F_INFORCE),
	TO("rcpt", rcpt, "1h", 'm', F_STARRED | F_INFORCE),
	/* glibc's own resolver defaults: RES_TIMEOUT 5 s, RES_DFLRETRY 2. */
	TOG("resolver.retrans", resolver_retrans[0], SM_RES_N, "5s", 's',
	    F_INFORCE),
	TO("resolver.retrans.first", resolver_retrans[SM_RES_FIRST], "5s",
	    's', F_INFORCE),
	TO("resolver.retrans.normal", resolver_retrans[SM_RES_NORMAL], "5s",
	    's', F_INFORCE),
	{ "Timeout.resolver.retry", 0, T_LONG, OFF(to.resolver_retry[0]),
	    SM_RES_N, "2", 0, 0, 100, NULL, F_INFORCE },
	{ "Timeout.resolver.retry.first", 0, T_LONG,
	    OFF(to.resolver_retry[SM_RES_FIRST]), 1, "2", 0, 0, 100, NULL,
	    F_INFORCE },
	{ "Timeout.resolver.retry.normal", 0, T_LONG,
	    OFF(to.resolver_retry[SM_RES_NORMAL]), 1, "2", 0, 0, 100, NULL,
	    F_INFORCE },
	TO("rset", rset, "5m", 'm', F_INFORCE),
	TO("starttls", starttls, "1h", 'm', F_INFORCE),
	S("TimeZoneSpec", 't', TimeZoneSpec, "", 0),
	B("TLSFallbacktoClear", 0, TLSFallbacktoClear, "False", F_INFORCE),
	S("TLSSrvOptions", 0, TLSSrvOptions, "", F_INFORCE),
	S("TrustedUser", 0, TrustedUser, "", 0),
	B("TryNullMXList", 'w', TryNullMXList, "False", F_INFORCE),
	S("UnixFromLine", 0, UnixFromLine, "From $g  $d", F_INFORCE),
	B("UnsafeGroupWrites", 0, UnsafeGroupWrites, "False", 0),
	B("UseCompressedIPv6Addresses", 0, UseCompressedIPv6Addresses,
	    "False", 0),
	B("UseErrorsTo", 'l', UseErrorsTo, "False", 0),
	B("UseMSP", 0, UseMSP, "False", 0),
	S("UserDatabaseSpec", 'U', UserDatabaseSpec, "", 0),
	B("Verbose", 'v', Verbose, "False", 0),
	L("XscriptFileBufferSize", 0, XscriptFileBufferSize, "4096", 0,
	    INT_MAX, 0),
};

const size_t sm_opt_nrows = sizeof(sm_opt_rows) / sizeof(sm_opt_rows[0]);
const size_t sm_opt_nprivacy = sizeof(sm_opt_privacy_words) /
    sizeof(sm_opt_privacy_words[0]);
