/*
 * sm_opt - the option table; see sm_opt.h.
 *
 * Defaults are written as the text a .cf line would carry and parsed
 * by the same code as a .cf line at start-up, so a default can never be
 * a value the parser would refuse.
 */
#include "sm_opt.h"

#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "sm_alloc.h"
#include "sm_buf.h"
#include "sm_log.h"
#include "sm_time.h"

enum otype {
	T_BOOL,		/* True/False */
	T_LONG,		/* decimal integer in [min, max] */
	T_DUR,		/* duration, seconds, default unit in `unit' */
	T_MODE,		/* octal file mode */
	T_STR,		/* text, may hold $ macro references */
	T_LIST,		/* one entry per line (DaemonPortOptions) */
	T_ENUM,		/* a word of which only the first letter counts */
	T_CHAR,		/* one character (BlankSub) */
	T_PRIV,		/* PrivacyOptions word list */
	T_DBS,		/* DontBlameSendmail word list */
	T_LEGACY_TO,	/* bare Timeout: "10m,connect=1m,ident:0" */
	T_QUEUETO	/* QueueTimeout: "RETURN[/WARN]" */
};

#define F_INFORCE	0x01	/* this program acts on the option */
#define F_NOPRINT	0x02	/* a setter of other rows, no value */
#define F_STARRED	0x04	/* set by a bare duration in Timeout= */
#define F_NOW		0x08	/* duration may be "now" */

struct word {
	const char	*word;
	char		 code;
};

struct row {
	const char	*name;
	int		 letter;
	enum otype	 type;
	size_t		 off;
	int		 count;		/* group rows: elements they set */
	const char	*dflt;		/* NULL: computed in sm_opt_init() */
	char		 unit;
	long		 min, max;
	const struct word *words;
	unsigned	 flags;
};

static const struct word deliverymode_words[] = {
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

static const struct {
	const char	*word;
	unsigned	 bits;
} privacy_words[] = {
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
static const char *const dbs_words[SM_DBS_N] = {
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

#define DBS_BIT(w)	((uint64_t)1 << (w))

/* The words this program acts on: those that concern .forward files. */
#define SM_DBS_INFORCE	(DBS_BIT(SM_DBS_DONTWARNFORWARDFILEINUNSAFEDIRPATH) | \
	DBS_BIT(SM_DBS_FORWARDFILEINGROUPWRITABLEDIRPATH) | \
	DBS_BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATH) | \
	DBS_BIT(SM_DBS_FORWARDFILEINUNSAFEDIRPATHSAFE) | \
	DBS_BIT(SM_DBS_GROUPWRITABLEDIRPATHSAFE) | \
	DBS_BIT(SM_DBS_GROUPWRITABLEFORWARDFILE) | \
	DBS_BIT(SM_DBS_GROUPWRITABLEFORWARDFILESAFE) | \
	DBS_BIT(SM_DBS_LINKEDFORWARDFILEINWRITABLEDIR) | \
	DBS_BIT(SM_DBS_TRUSTSTICKYBIT) | \
	DBS_BIT(SM_DBS_WORLDWRITABLEFORWARDFILE))

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
static const struct row rows[] = {
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
	    deliverymode_words, F_INFORCE),
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

#define NROWS	(sizeof(rows) / sizeof(rows[0]))

static int set_row(struct sm_options *, size_t, const char *,
    enum sm_opt_src, char *, size_t);

/* field - address of a row's value (element i of a group) */
static void *
field(const struct sm_options *o, const struct row *r, int i)
{
	char *base = (char *)(uintptr_t)o + r->off;

	switch (r->type) {
	case T_DUR:
	case T_LONG:
	case T_MODE:
		return base + (size_t)i * sizeof(long);
	default:
		return base;
	}
}

/* sm_opt_count - rows in the table (for tests and listings) */
size_t
sm_opt_count(void)
{
	return NROWS;
}

/* sm_opt_name - the name of row i */
const char *
sm_opt_name(size_t i)
{
	return i < NROWS ? rows[i].name : NULL;
}

/* default_user - sendmail's choice: mailnull, sendmail, daemon, 1:1 */
static const char *
default_user(void)
{
	static const char *const names[] = { "mailnull", "sendmail",
	    "daemon" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (getpwnam(names[i]) != NULL)
			return names[i];
	return "1:1";
}

/* sm_opt_init - every option at its default */
void
sm_opt_init(struct sm_options *o)
{
	char err[256], num[32];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t i;

	memset(o, 0, sizeof(*o));
	o->src = sm_calloc(NROWS, 1);
	o->reported = sm_calloc(NROWS, 1);
	if (ncpu < 1)
		ncpu = 1;
	for (i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];
		const char *d = r->dflt;

		if (r->flags & F_NOPRINT)
			continue;
		if (d == NULL) {
			if (strcmp(r->name, "QueueLA") == 0)
				(void)snprintf(num, sizeof(num), "%ld",
				    8 * ncpu);
			else if (strcmp(r->name, "RefuseLA") == 0)
				(void)snprintf(num, sizeof(num), "%ld",
				    12 * ncpu);
			else if (strcmp(r->name, "DefaultUser") == 0)
				(void)sm_strlcpy(num, default_user(),
				    sizeof(num));
			else
				sm_panic("option %s has no default", r->name);
			d = num;
		}
		if (set_row(o, i, d, SM_OPT_SRC_DEFAULT, err, sizeof(err)) < 0)
			sm_panic("default of option %s: %s", r->name, err);
	}
}

/* sm_opt_free - release the strings held by o */
void
sm_opt_free(struct sm_options *o)
{
	size_t i;

	for (i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];

		if (r->type == T_STR)
			free(*(char **)field(o, r, 0));
		else if (r->type == T_LIST)
			sm_strlist_clear(field(o, r, 0));
	}
	free(o->src);
	free(o->reported);
	o->src = o->reported = NULL;
}

/* parse_bool - sendmail's booleans: empty, t, y true; f, n false */
static int
parse_bool(const char *v, bool *out)
{
	if (*v == '\0' || strchr("tTyY", *v) != NULL)
		*out = true;
	else if (strchr("fFnN", *v) != NULL)
		*out = false;
	else
		return -1;
	return 0;
}

/* parse_long - a whole decimal number in [min, max] */
static int
parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long n;

	if (*v == '\0')
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno != 0 || *end != '\0' || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

/* parse_priv - PrivacyOptions words separated by commas or blanks */
static int
parse_priv(const char *v, unsigned *out, char *err, size_t errlen)
{
	unsigned bits = 0;
	const char *p = v;

	while (*p != '\0') {
		size_t n, i;

		p += strspn(p, ", \t\n");
		n = strcspn(p, ", \t\n");
		if (n == 0)
			break;
		for (i = 0; i < sizeof(privacy_words) /
		    sizeof(privacy_words[0]); i++)
			if (strlen(privacy_words[i].word) == n &&
			    strncasecmp(privacy_words[i].word, p, n) == 0)
				break;
		if (i == sizeof(privacy_words) / sizeof(privacy_words[0]))
			return sm_errbuf(err, errlen,
			    "PrivacyOptions: unknown flag \"%.*s\"", (int)n, p);
		bits |= privacy_words[i].bits;
		p += n;
	}
	*out = bits;
	return 0;
}

/*
 * parse_dbs - DontBlameSendmail words separated by commas or blanks, any
 * case; an unknown word is refused, as sendmail refuses it
 */
static int
parse_dbs(const char *v, uint64_t *out, char *err, size_t errlen)
{
	uint64_t bits = 0;
	const char *p = v;
	size_t n, i;

	for (;;) {
		p += strspn(p, ", \t\n");
		if ((n = strcspn(p, ", \t\n")) == 0)
			break;
		for (i = 0; i < SM_DBS_N; i++)
			if (strlen(dbs_words[i]) == n &&
			    strncasecmp(dbs_words[i], p, n) == 0)
				break;
		if (i < SM_DBS_N)
			bits |= DBS_BIT(i);
		else if (n != 4 || strncasecmp(p, "safe", 4) != 0)
			return sm_errbuf(err, errlen, "DontBlameSendmail: "
			    "unknown word \"%.*s\"", (int)n, p);
		p += n;
	}
	*out = bits;
	return 0;
}

/* sm_opt_dbs_word - the DontBlameSendmail word of bit number w */
const char *
sm_opt_dbs_word(unsigned w)
{
	return w < SM_DBS_N ? dbs_words[w] : NULL;
}

/* dbs_text - the words of bits, comma-separated; "safe" for none */
static void
dbs_text(uint64_t bits, struct sm_buf *b)
{
	unsigned w;

	for (w = 0; w < SM_DBS_N; w++)
		if (bits & DBS_BIT(w))
			(void)sm_buf_printf(b, "%s%s", b->len > 0 ? "," : "",
			    dbs_words[w]);
	if (b->len == 0)
		(void)sm_buf_puts(b, "safe");
}

/* sm_opt_privacy_word - the word for one PrivacyOptions bit */
const char *
sm_opt_privacy_word(unsigned bit)
{
	size_t i;

	for (i = 0; i < sizeof(privacy_words) / sizeof(privacy_words[0]);
	    i++)
		if (privacy_words[i].bits == bit)
			return privacy_words[i].word;
	return NULL;
}

/* enum_parse - the code of the word whose first letter v starts with */
static int
enum_parse(const struct word *w, const char *v, char *out)
{
	for (; w->word != NULL; w++)
		if (strncasecmp(w->word, v, 1) == 0) {
			*out = w->code;
			return 0;
		}
	return -1;
}

/* enum_word - the printed word for a code */
static const char *
enum_word(const struct word *w, char code)
{
	for (; w->word != NULL; w++)
		if (w->code == code)
			return w->word;
	return "?";
}

/* enum_list - the accepted words of an enum, for error messages */
static void
enum_list(const struct word *w, char *buf, size_t len)
{
	buf[0] = '\0';
	for (; w->word != NULL; w++) {
		if (buf[0] != '\0')
			(void)sm_strlcat(buf, ", ", len);
		(void)sm_strlcat(buf, w->word, len);
	}
}

/* set_legacy_timeout - "Timeout=10m,connect=1m,ident:0" */
static int
set_legacy_timeout(struct sm_options *o, const char *v, enum sm_opt_src src,
    char *err, size_t errlen)
{
	char *copy = sm_strdup(v), *elem, *save = NULL, name[128];
	int rc = 0;
	size_t i;

	for (elem = strtok_r(copy, ",", &save); elem != NULL && rc == 0;
	    elem = strtok_r(NULL, ",", &save)) {
		char *sep;

		elem += strspn(elem, " \t\n");
		if (*elem == '\0')
			continue;
		if (*elem >= '0' && *elem <= '9') {
			for (i = 0; i < NROWS && rc == 0; i++)
				if (rows[i].flags & F_STARRED)
					rc = set_row(o, i, elem, src, err,
					    errlen);
			continue;
		}
		sep = elem + strcspn(elem, "=:");
		if (*sep == '\0') {
			rc = sm_errbuf(err, errlen, "Timeout: element \"%s\" is "
			    "neither a duration nor name=value", elem);
			break;
		}
		*sep++ = '\0';
		(void)snprintf(name, sizeof(name), "Timeout.%s", elem);
		rc = sm_opt_set(o, name, sep, src, err, errlen);
	}
	free(copy);
	return rc;
}

/* set_queue_timeout - QueueTimeout "RETURN[/WARN]" */
static int
set_queue_timeout(struct sm_options *o, const char *v, enum sm_opt_src src,
    char *err, size_t errlen)
{
	char *copy = sm_strdup(v), *warn = strchr(copy, '/');
	int rc;

	if (warn != NULL)
		*warn++ = '\0';
	rc = sm_opt_set(o, "Timeout.queuereturn", copy, src, err, errlen);
	if (rc == 0 && warn != NULL)
		rc = sm_opt_set(o, "Timeout.queuewarn", warn, src, err,
		    errlen);
	free(copy);
	return rc;
}

/*
 * set_compound - Timeout= and QueueTimeout= set several options; try them
 * on a scratch copy first so that a bad element changes nothing.
 */
static int
set_compound(struct sm_options *o, enum otype type, const char *v,
    enum sm_opt_src src, char *err, size_t errlen)
{
	struct sm_options scratch;
	int rc;

	sm_opt_init(&scratch);
	rc = type == T_LEGACY_TO ?
	    set_legacy_timeout(&scratch, v, src, err, errlen) :
	    set_queue_timeout(&scratch, v, src, err, errlen);
	sm_opt_free(&scratch);
	if (rc != 0)
		return rc;
	return type == T_LEGACY_TO ?
	    set_legacy_timeout(o, v, src, err, errlen) :
	    set_queue_timeout(o, v, src, err, errlen);
}

/* set_row - parse v as row i's value; nothing changes on error */
static int
set_row(struct sm_options *o, size_t i, const char *v, enum sm_opt_src src,
    char *err, size_t errlen)
{
	const struct row *r = &rows[i];
	char tbuf[128], words[160];
	long n = 0;
	bool b;
	char c;
	unsigned bits = 0;
	uint64_t dbs = 0;
	int k, count = r->count > 0 ? r->count : 1;

	switch (r->type) {
	case T_LEGACY_TO:
	case T_QUEUETO:
		return set_compound(o, r->type, v, src, err, errlen);
	case T_BOOL:
		if (parse_bool(v, &b) < 0)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "a boolean (True or False)", r->name, v);
		*(bool *)field(o, r, 0) = b;
		break;
	case T_LONG:
		if (parse_long(v, r->min, r->max, &n) < 0)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "a number from %ld to %ld", r->name, v, r->min,
			    r->max);
		for (k = 0; k < count; k++)
			*(long *)field(o, r, k) = n;
		break;
	case T_DUR:
		if (sm_time_parse(v, r->unit, (r->flags & F_NOW) ?
		    SM_TIME_ALLOW_NOW : 0, &n, tbuf, sizeof(tbuf)) < 0)
			return sm_errbuf(err, errlen, "option %s: %s", r->name,
			    tbuf);
		for (k = 0; k < count; k++)
			*(long *)field(o, r, k) = n;
		break;
	case T_MODE:
		if (v[0] == '\0' || strspn(v, "01234567") != strlen(v) ||
		    (n = strtol(v, NULL, 8)) > r->max)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "an octal file mode", r->name, v);
		*(long *)field(o, r, 0) = n;
		break;
	case T_STR:
		free(*(char **)field(o, r, 0));
		*(char **)field(o, r, 0) = sm_strdup(v);
		break;
	case T_LIST: {
		struct sm_strlist *l = field(o, r, 0);

		if (o->src[i] != src || *v == '\0')
			sm_strlist_clear(l);
		if (*v != '\0')
			sm_strlist_add(l, v);
		break;
	}
	case T_ENUM:
		if (*v == '\0' && r->words == deliverymode_words)
			c = 'i';	/* "O DeliveryMode" alone */
		else if (enum_parse(r->words, v, &c) < 0) {
			enum_list(r->words, words, sizeof(words));
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "one of %s", r->name, v, words);
		}
		*(char *)field(o, r, 0) = c;
		break;
	case T_CHAR:
		if (strlen(v) > 1)
			return sm_errbuf(err, errlen, "option %s: \"%s\" is not "
			    "a single character", r->name, v);
		*(char *)field(o, r, 0) = *v == '\0' ? ' ' : *v;
		break;
	case T_PRIV:
		if (parse_priv(v, &bits, err, errlen) < 0)
			return -1;
		*(unsigned *)field(o, r, 0) = bits;
		break;
	case T_DBS:
		if (parse_dbs(v, &dbs, err, errlen) < 0)
			return -1;
		*(uint64_t *)field(o, r, 0) = dbs;
		break;
	}
	o->src[i] = (unsigned char)src;
	/* Setting a group marks its members as set from the same source. */
	if (count > 1) {
		size_t j;

		for (j = 0; j < NROWS; j++)
			if (rows[j].off >= r->off && rows[j].type == r->type &&
			    rows[j].off < r->off + (size_t)count * sizeof(long))
				o->src[j] = (unsigned char)src;
	}
	return 0;
}

/* find - the row for a name: exact, or a unique prefix (warned) */
static int
find(const char *name, size_t *idx, char *err, size_t errlen)
{
	size_t i, len = strlen(name), hit = NROWS;
	char *sub;

	for (i = 0; i < NROWS; i++)
		if (strcasecmp(rows[i].name, name) == 0) {
			*idx = i;
			return 0;
		}
	/* "Timeout.queuereturn.*" is a synonym of "Timeout.queuereturn". */
	if (len > 2 && strcmp(name + len - 2, ".*") == 0 &&
	    strncasecmp(name, "Timeout.", 8) == 0) {
		char base[128];

		if (len - 2 < sizeof(base)) {
			memcpy(base, name, len - 2);
			base[len - 2] = '\0';
			for (i = 0; i < NROWS; i++)
				if (strcasecmp(rows[i].name, base) == 0 &&
				    rows[i].count > 1) {
					*idx = i;
					return 0;
				}
		}
	}
	if ((sub = strchr(name, '.')) != NULL)
		return sm_errbuf(err, errlen, "unknown option %s (no such "
		    "suboption)", name);
	if (len == 0)
		return sm_errbuf(err, errlen, "option name missing");
	for (i = 0; i < NROWS; i++) {
		if (strchr(rows[i].name, '.') != NULL ||
		    strncasecmp(rows[i].name, name, len) != 0)
			continue;
		if (hit != NROWS)
			return sm_errbuf(err, errlen, "ambiguous option name %s "
			    "(matches %s and %s)", name, rows[hit].name,
			    rows[i].name);
		hit = i;
	}
	if (hit == NROWS)
		return sm_errbuf(err, errlen, "unknown option %s", name);
	sm_warnx("option %s used as abbreviation for %s", name,
	    rows[hit].name);
	*idx = hit;
	return 0;
}

/* sm_opt_set - set option name to value v */
int
sm_opt_set(struct sm_options *o, const char *name, const char *v,
    enum sm_opt_src src, char *err, size_t errlen)
{
	size_t i;

	if (find(name, &i, err, errlen) < 0)
		return -1;
	return set_row(o, i, v, src, err, errlen);
}

/*
 * sm_opt_set_line - "Name=value", "Name = value" or "Name" (empty value),
 * as in an O line or a -O argument.  Blanks around the name and the
 * value are not part of them.
 */
int
sm_opt_set_line(struct sm_options *o, const char *line, enum sm_opt_src src,
    char *err, size_t errlen)
{
	const char *eq = strchr(line, '=');
	const char *ns, *ne, *vs, *ve;
	char name[128], *val;
	int rc;

	ns = line + strspn(line, " \t");
	ne = eq != NULL ? eq : line + strlen(line);
	while (ne > ns && strchr(" \t\n", ne[-1]) != NULL)
		ne--;
	if ((size_t)(ne - ns) >= sizeof(name))
		return sm_errbuf(err, errlen, "option name too long");
	memcpy(name, ns, (size_t)(ne - ns));
	name[ne - ns] = '\0';
	if (eq == NULL)
		vs = ve = ne;
	else {
		vs = eq + 1 + strspn(eq + 1, " \t");
		ve = vs + strlen(vs);
		while (ve > vs && strchr(" \t\n\r", ve[-1]) != NULL)
			ve--;
	}
	val = sm_strndup(vs, (size_t)(ve - vs));
	rc = sm_opt_set(o, name, val, src, err, errlen);
	free(val);
	return rc;
}

/* sm_opt_set_letter - the one-letter form: "Odq", "-oi", "-oL20" */
int
sm_opt_set_letter(struct sm_options *o, int letter, const char *v,
    enum sm_opt_src src, char *err, size_t errlen)
{
	size_t i;

	for (i = 0; i < NROWS; i++)
		if (rows[i].letter == letter)
			return set_row(o, i, v, src, err, errlen);
	return sm_errbuf(err, errlen, "unknown option letter '%c'", letter);
}

/* value_text - row r's value as a .cf line would carry it */
static void
value_text(const struct sm_options *o, const struct row *r, struct sm_buf *b)
{
	char tbuf[64];
	unsigned bits;
	size_t k;

	sm_buf_reset(b);
	switch (r->type) {
	case T_BOOL:
		(void)sm_buf_puts(b, *(bool *)field(o, r, 0) ?
		    "True" : "False");
		break;
	case T_LONG:
		(void)sm_buf_printf(b, "%ld", *(long *)field(o, r, 0));
		break;
	case T_DUR:
		(void)sm_buf_puts(b, sm_time_format(*(long *)field(o, r, 0),
		    tbuf, sizeof(tbuf)));
		break;
	case T_MODE:
		(void)sm_buf_printf(b, "%04lo", *(long *)field(o, r, 0));
		break;
	case T_STR:
		(void)sm_buf_puts(b, *(char **)field(o, r, 0));
		break;
	case T_ENUM:
		(void)sm_buf_puts(b, enum_word(r->words,
		    *(char *)field(o, r, 0)));
		break;
	case T_CHAR:
		if (*(char *)field(o, r, 0) != ' ')
			(void)sm_buf_putc(b, *(char *)field(o, r, 0));
		break;
	case T_DBS:
		dbs_text(*(uint64_t *)field(o, r, 0), b);
		break;
	case T_PRIV:
		bits = *(unsigned *)field(o, r, 0);
		if (bits == 0)
			(void)sm_buf_puts(b, "public");
		for (k = 0; k < 32; k++) {
			const char *w;

			if (!(bits & (1u << k)) ||
			    (w = sm_opt_privacy_word(1u << k)) == NULL)
				continue;
			if (b->len > 0)
				(void)sm_buf_putc(b, ',');
			(void)sm_buf_puts(b, w);
		}
		break;
	case T_LIST:
	case T_LEGACY_TO:
	case T_QUEUETO:
		break;
	}
}

struct optline {
	char	*text;		/* "Name=value" */
	size_t	 seq;		/* order of creation: keeps list order */
};

/* cmp_line - order lines by name ignoring case, then as created */
static int
cmp_line(const void *a, const void *b)
{
	const struct optline *x = a, *y = b;
	size_t nx = strcspn(x->text, "="), ny = strcspn(y->text, "=");
	int c = strncasecmp(x->text, y->text, nx < ny ? nx : ny);

	if (c != 0)
		return c;
	if (nx != ny)
		return nx < ny ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* add_line - append "name=value" to the array of lines */
static struct optline *
add_line(struct optline *lines, size_t *n, const char *name,
    const char *value)
{
	struct sm_buf b;

	sm_buf_init(&b, 0);
	(void)sm_buf_printf(&b, "%s=%s", name, value);
	lines = sm_reallocarray(lines, *n + 1, sizeof(*lines));
	lines[*n].text = sm_buf_detach(&b);
	lines[*n].seq = *n;
	(*n)++;
	return lines;
}

/*
 * sm_opt_print - every effective option as "O Name=value", sorted by
 * name; list options give one line per entry (a line with an empty value
 * when the list is empty).  Reading the output back gives the same
 * values.
 */
void
sm_opt_print(const struct sm_options *o, FILE *fp)
{
	struct sm_buf b;
	struct optline *lines = NULL;
	size_t n = 0, i, k;

	sm_buf_init(&b, 0);
	for (i = 0; i < NROWS; i++) {
		const struct row *r = &rows[i];

		if (r->flags & F_NOPRINT)
			continue;
		if (r->type == T_LIST) {
			const struct sm_strlist *l = field(o, r, 0);

			if (l->n == 0)
				lines = add_line(lines, &n, r->name, "");
			for (k = 0; k < l->n; k++)
				lines = add_line(lines, &n, r->name, l->v[k]);
			continue;
		}
		value_text(o, r, &b);
		lines = add_line(lines, &n, r->name, sm_buf_str(&b));
	}
	qsort(lines, n, sizeof(*lines), cmp_line);
	for (i = 0; i < n; i++) {
		(void)fprintf(fp, "O %s\n", lines[i].text);
		free(lines[i].text);
	}
	free(lines);
	sm_buf_free(&b);
}

/*
 * dbs_pending - one warning naming the DontBlameSendmail words set that
 * are not in force; 1 when there was one
 */
static size_t
dbs_pending(uint64_t bits)
{
	struct sm_buf words;

	if ((bits &= ~SM_DBS_INFORCE) == 0)
		return 0;
	sm_buf_init(&words, 0);
	dbs_text(bits, &words);
	sm_warnx("DontBlameSendmail words set but not yet in force: %s",
	    sm_buf_str(&words));
	sm_buf_free(&words);
	return 1;
}

/*
 * sm_opt_report_pending - name, in one warning, every option that was set
 * by the file or command line but that this program does not act on yet,
 * and in a second the DontBlameSendmail words it does not act on.  Each
 * is named once per process.  Returns how many were named (the words
 * count as one).
 */
size_t
sm_opt_report_pending(struct sm_options *o)
{
	struct sm_buf b;
	size_t i, n = 0;
	bool dbs = false;

	sm_buf_init(&b, 0);
	for (i = 0; i < NROWS; i++) {
		if (o->src[i] == SM_OPT_SRC_DEFAULT || o->reported[i] ||
		    (rows[i].flags & F_NOPRINT))
			continue;
		if (rows[i].type == T_DBS) {
			o->reported[i] = 1;
			dbs = true;
			continue;
		}
		if (rows[i].flags & F_INFORCE)
			continue;
		o->reported[i] = 1;
		(void)sm_buf_printf(&b, "%s%s", n > 0 ? ", " : "",
		    rows[i].name);
		n++;
	}
	if (n > 0)
		sm_warnx("options set but not yet in force: %s",
		    sm_buf_str(&b));
	if (dbs)
		n += dbs_pending(o->DontBlameSendmail);
	sm_buf_free(&b);
	return n;
}
