# sendmaild - a sendmail-compatible MTA.  See README.md and INSTALL.
#
#   make                 build build/sendmaild and build/makemap
#   make check           unit tests (cmocka) and integration tests (pytest)
#   make check SANITIZE=1  the same under AddressSanitizer and UBSan
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#   make lint            refuse unbounded string functions; scripts/lint-tree
#   make fuzz            libFuzzer harnesses, FUZZ_SECONDS each (clang)
#   make soak            1,000 sessions against a master under valgrind
#   make durability      kill -9 at random under load; lost and extra copies
#   make bench           side by side with sendmail, Postfix, OpenSMTPD (root)

PREFIX    ?= /usr/local
SBINDIR   ?= $(PREFIX)/sbin
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
CFDIR     ?= $(PREFIX)/share/sendmaild/cf
SYSCONFDIR ?= /etc
DESTDIR   ?=
PYTHON    ?= /usr/bin/python3

CC        ?= cc
CSTD       = -std=c11
WARN       = -Wall -Wextra -Werror -Wpedantic -Wshadow -Wstrict-prototypes \
	     -Wmissing-prototypes -Wmissing-declarations -Wpointer-arith \
	     -Wwrite-strings -Wformat=2 -Wundef \
	     -Wold-style-definition -Wimplicit-fallthrough=5 -Wvla \
	     -Wnull-dereference -Wcast-align -Wredundant-decls \
	     -Wno-missing-field-initializers
OPT        = -O2 -g
DEFS       = -D_GNU_SOURCE -DSM_CF_PATH='"$(SYSCONFDIR)/mail/sendmail.cf"'
LIBS       = -ldb -lresolv -lssl -lcrypto -lsasl2

ifeq ($(SANITIZE),1)
B          = build-san
OPT        = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	     -fno-sanitize-recover=all
LDSAN      = -fsanitize=address,undefined
else
B          = build
endif

CFLAGS_ALL = $(CSTD) $(WARN) $(OPT) $(DEFS) -Ilibsm -Iqueue $(SMD_INC) \
	     $(CFLAGS)
# Full RELRO: symbols are bound once at start, so a child forked per
# connection neither resolves them again nor copies the pages written.
LDHARD     = -Wl,-z,relro -Wl,-z,now
LDFLAGS_ALL = $(LDSAN) $(LDHARD) $(LDFLAGS)

LIBSM_SRC  = libsm/compat/sm_strl.c libsm/sm_alloc.c libsm/sm_log.c \
	     libsm/sm_buf.c libsm/sm_strlist.c libsm/sm_strset.c libsm/sm_group.c libsm/sm_time.c libsm/sm_deadline.c libsm/sm_io.c \
	     libsm/sm_opt.c libsm/sm_opt_table.c libsm/sm_cf.c libsm/sm_map.c \
	     libsm/sm_proc.c libsm/sm_addr.c libsm/sm_dns.c libsm/sm_mx.c libsm/sm_tls.c
Q_SRC      = queue/q_file.c queue/q_ctl.c queue/q_result.c queue/q_list.c queue/q_smtp.c queue/q_reply.c queue/q_secure.c \
	     queue/q_commit.c \
	     queue/q_dsn.c queue/q_dest.c queue/q_local.c queue/q_retry.c queue/q_route.c queue/q_run.c queue/q_share.c queue/q_sweep.c queue/q_hoststat.c queue/q_hostmem.c \
	     queue/q_owner.c
# sendmaild/ has one folder per part of the program (README.md, Layout).
SMD_DIRS   = main config master smtpd submit message local delivery rules
SMD_INC    = $(SMD_DIRS:%=-Isendmaild/%)
SMD_SRC    = sendmaild/main/modes.c \
	     sendmaild/config/args.c sendmaild/config/config.c \
	     sendmaild/config/daemon_port.c \
	     sendmaild/master/master.c \
	     sendmaild/smtpd/srv_session.c sendmaild/smtpd/srv_envelope.c \
	     sendmaild/smtpd/srv_data.c sendmaild/smtpd/srv_cmd.c \
	     sendmaild/smtpd/srv_tls.c sendmaild/smtpd/srv_auth.c \
	     sendmaild/smtpd/ident.c sendmaild/smtpd/policy.c \
	     sendmaild/smtpd/clients.c \
	     sendmaild/submit/input.c sendmaild/submit/submit.c \
	     sendmaild/submit/clientq.c \
	     sendmaild/message/header.c \
	     sendmaild/local/local.c sendmaild/local/expand.c \
	     sendmaild/local/local_svc.c sendmaild/local/mda.c \
	     sendmaild/local/mailbox.c sendmaild/local/aliases.c \
	     sendmaild/local/safefile.c \
	     sendmaild/delivery/delivery.c sendmaild/delivery/agents.c \
	     sendmaild/delivery/secure.c \
	     sendmaild/rules/route.c
MAKEMAP_SRC = makemap/makemap.c

LIBSM_OBJ  = $(LIBSM_SRC:%.c=$(B)/obj/%.o)
SMD_OBJ    = $(SMD_SRC:%.c=$(B)/obj/%.o)
Q_OBJ      = $(Q_SRC:%.c=$(B)/obj/%.o)
MAKEMAP_OBJ = $(MAKEMAP_SRC:%.c=$(B)/obj/%.o)

UNIT_TESTS = buf strset time deadline io opt cf args map addr srvcmd qfile input header agents safefile \
	     commit qctl dsn hoststat qlist qsecure \
	     aliases route tls mx hostmem owner lmtp clients mailbox \
	     qroute qretry qrun qshare qreply qsmtp qdest group qsweep \
	     qlocal
UNIT_BINS  = $(UNIT_TESTS:%=$(B)/tests/unit/%_test)

PROGS      = $(B)/sendmaild $(B)/makemap
LINKS      = mailq newaliases hoststat purgestat

.SECONDARY:
.PHONY: all cf check fuzz fuzz-merge soak durability bench unit integration install lint clean run deps
all: $(PROGS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS_ALL) -MMD -MP -c -o $@ $<

$(B)/libsm.a: $(LIBSM_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/libq.a: $(Q_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/libsmd.a: $(SMD_OBJ)
	rm -f $@
	ar rcs $@ $^

$(B)/sendmaild: $(B)/obj/sendmaild/main/main.o $(B)/libsmd.a $(B)/libq.a $(B)/libsm.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)
	cd $(B) && for l in $(LINKS) sendmail; do ln -sf sendmaild $$l; done

$(B)/makemap: $(MAKEMAP_OBJ) $(B)/libsm.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBS)

$(B)/tests/unit/%_test: $(B)/obj/tests/unit/%_test.o $(B)/libsmd.a $(B)/libq.a $(B)/libsm.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka $(LIBS)

CF_MC      = $(wildcard cf/cf/*.mc)
CF_OUT     = $(CF_MC:%.mc=%.cf)

cf: $(CF_OUT)

# m4 runs in cf/cf, where the .mc files include ../m4/cf.m4; the .cf is
# written under a temporary name so a failed run leaves no .cf behind.
cf/cf/%.cf: cf/cf/%.mc $(wildcard cf/m4/*.m4 cf/feature/*.m4 cf/mailer/*.m4 \
	    cf/ostype/*.m4 cf/domain/*.m4)
	cd cf/cf && m4 $*.mc > $*.cf.tmp
	mv $@.tmp $@

check: unit integration

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do echo "== $$t"; \
	    $$t || fail=1; done; exit $$fail

integration: $(PROGS) cf
	SANITIZE=$(SANITIZE) SENDMAILD_BUILD=$(CURDIR)/$(B) $(PYTHON) -m pytest -q tests/integration

# A long-lived master under valgrind: 1,000 sessions, then no leak.
soak: $(PROGS) cf
	SENDMAILD_BUILD=$(CURDIR)/$(B) $(PYTHON) tests/soak/soak.py

# SIGKILL at random among the daemon's processes while mail flows, then
# every copy counted: mail lost and copies delivered twice, per thousand
# acknowledged (as root; see tests/soak/RESULTS.md).  About 2 minutes.
durability: $(PROGS)
	SENDMAILD_BUILD=$(CURDIR)/$(B) $(PYTHON) tests/soak/durability.py

# Benchmarks against Debian's sendmail, Postfix and OpenSMTPD: see
# tests/bench/RESULTS.md.  Installs what it needs; about 30 minutes.
bench:
	tests/bench/bench

$(B)/bench/disklimit: tests/bench/disklimit.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $<

lint:
	@! grep -nE '\b(strcpy|strcat|sprintf|vsprintf|gets|alloca|strncpy)[[:space:]]*\(' \
	    $$(find libsm sendmaild queue makemap tests/unit -name '*.[ch]') \
	    || { echo "lint: unbounded string function"; exit 1; }
	@$(PYTHON) scripts/lint-tree

run: all
	./scripts/run-default

deps:
	./scripts/install-deps all

install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man7 \
	    $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(CFDIR)
	install -m 0755 $(B)/sendmaild $(DESTDIR)$(SBINDIR)/sendmail
	install -m 0755 $(B)/makemap $(DESTDIR)$(SBINDIR)/makemap
	# install -d would reset the mode of an existing /etc/mail (Debian
	# makes it 2755).
	test -d $(DESTDIR)$(SYSCONFDIR)/mail || \
	    install -d $(DESTDIR)$(SYSCONFDIR)/mail
	test -e $(DESTDIR)$(SYSCONFDIR)/mail/sendmail.mc || \
	    sed 's|`../m4/cf.m4'"'"'|`$(CFDIR)/m4/cf.m4'"'"'|' cf/cf/sendmail.mc \
	    > $(DESTDIR)$(SYSCONFDIR)/mail/sendmail.mc
	for l in newaliases hoststat purgestat runq; do \
	    ln -sf sendmail $(DESTDIR)$(SBINDIR)/$$l; done
	ln -sf $(SBINDIR)/sendmail $(DESTDIR)$(BINDIR)/mailq
	# Compressed, as Debian's own pages are (update-alternatives links
	# name them *.gz).
	for m in man/*.[1578]; do \
	    s=$${m##*.}; d=$(DESTDIR)$(MANDIR)/man$$s/$${m##*/}.gz; \
	    gzip -9n < $$m > $$d && chmod 0644 $$d; done
	cd cf && find . -type d -exec install -d $(DESTDIR)$(CFDIR)/{} \; && \
	    find . -type f -exec install -m 0644 {} $(DESTDIR)$(CFDIR)/{} \;

# Fuzzing: clang with libFuzzer, ASan and UBSan, built apart in
# build-fuzz/.  Each harness starts from tests/fuzz/seeds/NAME and the
# kept corpus tests/fuzz/corpus/NAME, and runs for FUZZ_SECONDS; new
# inputs stay in build-fuzz/corpus/NAME (make fuzz-merge keeps them).
FUZZ_SECONDS ?= 30
FUZZ_TARGETS = addr aliases cmd cf qctl reply time
FZ         = build-fuzz
FUZZ_CC    = clang
FUZZ_FLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer \
	     -fsanitize=address,undefined -fno-sanitize-recover=all $(DEFS) \
	     -Ilibsm -Iqueue $(SMD_INC)
FUZZ_OBJ   = $(LIBSM_SRC:%.c=$(FZ)/obj/%.o) $(Q_SRC:%.c=$(FZ)/obj/%.o) \
	     $(SMD_SRC:%.c=$(FZ)/obj/%.o)

$(FZ)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $<"
	@$(FUZZ_CC) $(FUZZ_FLAGS) -MMD -MP -fsanitize=fuzzer-no-link -c -o $@ $<

$(FZ)/fuzz_%: $(FZ)/obj/tests/fuzz/fuzz_%.o $(FUZZ_OBJ)
	@echo "  LINK    $@"
	@$(FUZZ_CC) -fsanitize=fuzzer,address,undefined -o $@ $^ $(LIBS)

fuzz: $(FUZZ_TARGETS:%=$(FZ)/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FZ)/corpus/$$t; \
	    cp -R tests/fuzz/seeds/$$t/. $(FZ)/corpus/$$t/; \
	    if [ -d tests/fuzz/corpus/$$t ]; then \
	        cp -R tests/fuzz/corpus/$$t/. $(FZ)/corpus/$$t/; fi; \
	    echo "== fuzz_$$t for $(FUZZ_SECONDS) s"; \
	    if ! $(FZ)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) \
	        -artifact_prefix=$(FZ)/$$t- -max_len=65536 $(FZ)/corpus/$$t > $(FZ)/$$t.log 2>&1; then \
	        tail -n 60 $(FZ)/$$t.log; \
	        echo "fuzz_$$t: crash; the input is in the log above"; \
	        exit 1; \
	    fi; \
	    grep -E '^Done [0-9]+ runs' $(FZ)/$$t.log; \
	done

# Keep what the last fuzzing run found, minimized, in the tree.
fuzz-merge: $(FUZZ_TARGETS:%=$(FZ)/fuzz_%)
	@set -e; for t in $(FUZZ_TARGETS); do mkdir -p tests/fuzz/corpus/$$t; \
	    $(FZ)/fuzz_$$t -merge=1 -artifact_prefix=$(FZ)/$$t- tests/fuzz/corpus/$$t $(FZ)/corpus/$$t \
	        > $(FZ)/$$t.merge.log 2>&1; done

clean:
	rm -rf build build-san build-fuzz cf/cf/*.cf cf/cf/*.cf.tmp

-include $(shell find $(B) $(FZ) -name '*.d' 2>/dev/null)
