// insn-count.so: a QEMU TCG plugin that counts the instructions the guest executes, in user space
// and in the kernel, between two marks that the guest sets by running g4j-mark (mark.S). Unlike
// CPU time, an instruction count does not depend on how fast the emulation ran, on the host's
// load, or on the emulator's own caches: two runs of the same code count the same within a few
// per mille, and the part of a cost that is the emulator's and not the guest's drops out.
//
//   qemu-system-x86_64 ... -plugin insn-count.so[,pcs=on] -d plugin -D FILE
//
// At each end mark the plugin writes one line to QEMU's log (FILE):
//   insn-count user U kernel K user-blocks UB kernel-blocks KB
// the instructions (U, K) and translated blocks (UB, KB) executed since the start mark. With
// pcs=on it first writes, for each user-space block that ran in the window, one line
//   insn-pc ADDRESS INSTRUCTIONS KERNEL
// (hex address of the block; decimal: the instructions it executed, and the kernel instructions
// that ran after it before the next user-space block, which charges a system call, and an
// interrupt or a switch that came meanwhile, to the code that ran before it; a block translated
// again appears again): an exact profile of the window, to be mapped to processes and code with
// their maps and a JIT's perf map. pcs=on makes a call per user-space block, which slows the
// guest's user space down. A block
// counts in full when it starts: one that an interrupt or a fault cuts short counts whole, and a
// repeated string instruction counts once per repetition, as the emulator runs it. Whole guest,
// every process: set the marks around the work to measure and compare two windows that differ
// only in it. Kernel addresses are those of x86-64's upper half.
//
// Written against QEMU's plugin API version 1 (QEMU 4.2 to 8.1; Debian 12 ships 7.2), whose
// few declarations are repeated here: distributions do not ship qemu-plugin.h.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
struct qemu_info_t;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_inline(struct qemu_plugin_tb *tb, enum qemu_plugin_op op, void *ptr,
					      uint64_t imm);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb, qemu_plugin_vcpu_udata_cb_t cb,
					  enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_outs(const char *string);

#define EXPORT __attribute__((visibility("default")))

EXPORT int qemu_plugin_version = 1;

// The marks' addresses: g4j-mark is a static binary linked at MARK_BASE (see mark.S).
#define MARK_START 0x1f2e1000ULL
#define MARK_END 0x1f2e2000ULL
#define KERNEL_BASE 0xffff800000000000ULL

// Added to by the translated code itself (inline, no call per block). With several vCPUs the
// additions race; the benchmarks that use this run one vCPU.
static uint64_t insns[2], blocks[2];
static uint64_t at_start[4];

// pcs=on: every user-space block translated, with its own counts.
struct block {
	uint64_t pc;
	uint64_t insns;
	uint64_t runs;
	uint64_t kernel;
	struct block *next;
};
static int pcs;
static struct block *user_blocks;
// The user-space block that ran last, and the kernel count then.
static struct block *last_user;
static uint64_t kernel_then;

static void user_block(unsigned int vcpu, void *userdata)
{
	struct block *b = userdata;

	(void)vcpu;
	if (last_user)
		last_user->kernel += insns[1] - kernel_then;
	b->runs++;
	last_user = b;
	kernel_then = insns[1];
}

static void mark_start(unsigned int vcpu, void *userdata)
{
	(void)vcpu;
	(void)userdata;
	at_start[0] = insns[0];
	at_start[1] = insns[1];
	at_start[2] = blocks[0];
	at_start[3] = blocks[1];
	for (struct block *b = user_blocks; b; b = b->next)
		b->runs = b->kernel = 0;
	last_user = NULL;
}

static void mark_end(unsigned int vcpu, void *userdata)
{
	char line[160];

	(void)vcpu;
	(void)userdata;
	for (struct block *b = user_blocks; b; b = b->next) {
		if (b->runs) {
			snprintf(line, sizeof(line), "insn-pc %llx %llu %llu\n", (unsigned long long)b->pc,
				 (unsigned long long)(b->runs * b->insns), (unsigned long long)b->kernel);
			qemu_plugin_outs(line);
		}
	}
	snprintf(line, sizeof(line), "insn-count user %llu kernel %llu user-blocks %llu kernel-blocks %llu\n",
		 (unsigned long long)(insns[0] - at_start[0]), (unsigned long long)(insns[1] - at_start[1]),
		 (unsigned long long)(blocks[0] - at_start[2]), (unsigned long long)(blocks[1] - at_start[3]));
	qemu_plugin_outs(line);
}

static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t pc = qemu_plugin_tb_vaddr(tb);
	int kernel = pc >= KERNEL_BASE;

	(void)id;
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &insns[kernel],
						 qemu_plugin_tb_n_insns(tb));
	qemu_plugin_register_vcpu_tb_exec_inline(tb, QEMU_PLUGIN_INLINE_ADD_U64, &blocks[kernel], 1);
	if (pcs && !kernel) {
		struct block *b = calloc(1, sizeof(*b));

		if (b) {
			b->pc = pc;
			b->insns = qemu_plugin_tb_n_insns(tb);
			b->next = user_blocks;
			user_blocks = b;
			qemu_plugin_register_vcpu_tb_exec_cb(tb, user_block, QEMU_PLUGIN_CB_NO_REGS, b);
		}
	}
	if (pc == MARK_START)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, mark_start, QEMU_PLUGIN_CB_NO_REGS, NULL);
	else if (pc == MARK_END)
		qemu_plugin_register_vcpu_tb_exec_cb(tb, mark_end, QEMU_PLUGIN_CB_NO_REGS, NULL);
}

EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const struct qemu_info_t *info, int argc, char **argv)
{
	(void)info;
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "pcs=on") == 0)
			pcs = 1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
	return 0;
}
