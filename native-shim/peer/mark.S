// g4j-mark: sets a mark for insn-count.so. Without an argument it starts a window, with any
// argument it ends one, by running the code at MARK_START or MARK_END, whose addresses the
// plugin watches, and exits. A static binary linked at a fixed address (-Ttext=0x1f2e0000):
// nothing else the guest runs executes code there.
	.text
	.globl _start
_start:
	cmpq $1, (%rsp)			// argc
	jne 1f
	jmp start_mark
1:	jmp end_mark

	.org 0x1000			// MARK_START = 0x1f2e1000
start_mark:
	mov $60, %eax			// exit(0)
	xor %edi, %edi
	syscall

	.org 0x2000			// MARK_END = 0x1f2e2000
end_mark:
	mov $60, %eax
	xor %edi, %edi
	syscall
