/*
 * Prints the sizes, alignments and member offsets of every uapi struct gadget4j's Linux backend
 * lays out in Java, every ioctl number and flag it uses, and the AIO syscall numbers, one
 * "name value" per line. LayoutCrossCheckTest (java/gadget4j-linux) computes the same lines from
 * the Java side and compares them one by one.
 *
 * Build against the 6.12 uapi headers, which must come first on the include path (the system's
 * linux-libc-dev may predate the DMABUF ioctls):
 *   gcc -std=gnu11 -Wall -Werror -I <headers>/include -o layout-check layout-check.c
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
/*
 * glibc's sys/mount.h copies some block-device ioctls from linux/fs.h (which linux/aio_abi.h
 * includes) with different spacing, which GCC reports as redefinitions: drop glibc's copies.
 */
#undef BLKROSET
#undef BLKROGET
#undef BLKRRPART
#undef BLKGETSIZE
#undef BLKFLSBUF
#undef BLKRASET
#undef BLKRAGET
#undef BLKFRASET
#undef BLKFRAGET
#undef BLKSECTSET
#undef BLKSECTGET
#undef BLKSSZGET
#undef BLKBSZGET
#undef BLKBSZSET
#undef BLKGETSIZE64
#include <linux/aio_abi.h>
#include <linux/time_types.h>
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/sync_file.h>
#include <linux/udmabuf.h>
#include <linux/usb/ch9.h>
#include <linux/usb/functionfs.h>
#include <linux/usbdevice_fs.h>

#define STRUCT(t) \
	printf("sizeof.%s %zu\nalignof.%s %zu\n", #t, sizeof(struct t), #t, _Alignof(struct t))
#define FIELD(t, f) \
	printf("offsetof.%s.%s %zu\nfieldsize.%s.%s %zu\n", #t, #f, offsetof(struct t, f), \
	       #t, #f, sizeof(((struct t *)0)->f))
/* A member the Java side names differently (anonymous or one-member unions). */
#define FIELD_AS(t, name, f) \
	printf("offsetof.%s.%s %zu\nfieldsize.%s.%s %zu\n", #t, name, offsetof(struct t, f), \
	       #t, name, sizeof(((struct t *)0)->f))
/* A flexible array member: it has an offset but no size. */
#define FLEX(t, f) printf("offsetof.%s.%s %zu\n", #t, #f, offsetof(struct t, f))
#define IOCTL(n) printf("ioctl.%s %lu\n", #n, (unsigned long)(n))
#define CONST(n) printf("const.%s %lld\n", #n, (long long)(n))
#define SYS(n) printf("sys.%s %ld\n", #n, (long)__NR_##n)

int main(void)
{
	/* linux/usb/functionfs.h, linux/usb/ch9.h */
	STRUCT(usb_ffs_dmabuf_transfer_req);
	FIELD(usb_ffs_dmabuf_transfer_req, fd);
	FIELD(usb_ffs_dmabuf_transfer_req, flags);
	FIELD(usb_ffs_dmabuf_transfer_req, length);
	STRUCT(usb_ctrlrequest);
	FIELD(usb_ctrlrequest, bRequestType);
	FIELD(usb_ctrlrequest, bRequest);
	FIELD(usb_ctrlrequest, wValue);
	FIELD(usb_ctrlrequest, wIndex);
	FIELD(usb_ctrlrequest, wLength);
	STRUCT(usb_functionfs_event);
	FIELD_AS(usb_functionfs_event, "setup", u.setup);
	FIELD(usb_functionfs_event, type);
	FIELD(usb_functionfs_event, _pad);
	STRUCT(usb_endpoint_descriptor);
	FIELD(usb_endpoint_descriptor, bLength);
	FIELD(usb_endpoint_descriptor, bDescriptorType);
	FIELD(usb_endpoint_descriptor, bEndpointAddress);
	FIELD(usb_endpoint_descriptor, bmAttributes);
	FIELD(usb_endpoint_descriptor, wMaxPacketSize);
	FIELD(usb_endpoint_descriptor, bInterval);
	FIELD(usb_endpoint_descriptor, bRefresh);
	FIELD(usb_endpoint_descriptor, bSynchAddress);

	/* linux/udmabuf.h, linux/dma-buf.h, linux/sync_file.h */
	STRUCT(udmabuf_create);
	FIELD(udmabuf_create, memfd);
	FIELD(udmabuf_create, flags);
	FIELD(udmabuf_create, offset);
	FIELD(udmabuf_create, size);
	STRUCT(udmabuf_create_item);
	FIELD(udmabuf_create_item, memfd);
	FIELD(udmabuf_create_item, __pad);
	FIELD(udmabuf_create_item, offset);
	FIELD(udmabuf_create_item, size);
	STRUCT(udmabuf_create_list);
	FIELD(udmabuf_create_list, flags);
	FIELD(udmabuf_create_list, count);
	FLEX(udmabuf_create_list, list);
	STRUCT(dma_buf_sync);
	FIELD(dma_buf_sync, flags);
	STRUCT(dma_buf_export_sync_file);
	FIELD(dma_buf_export_sync_file, flags);
	FIELD(dma_buf_export_sync_file, fd);
	STRUCT(dma_buf_import_sync_file);
	FIELD(dma_buf_import_sync_file, flags);
	FIELD(dma_buf_import_sync_file, fd);
	STRUCT(sync_fence_info);
	FIELD(sync_fence_info, obj_name);
	FIELD(sync_fence_info, driver_name);
	FIELD(sync_fence_info, status);
	FIELD(sync_fence_info, flags);
	FIELD(sync_fence_info, timestamp_ns);
	STRUCT(sync_file_info);
	FIELD(sync_file_info, name);
	FIELD(sync_file_info, status);
	FIELD(sync_file_info, flags);
	FIELD(sync_file_info, num_fences);
	FIELD(sync_file_info, pad);
	FIELD(sync_file_info, sync_fence_info);
	/* linux/dma-heap.h */
	STRUCT(dma_heap_allocation_data);
	FIELD(dma_heap_allocation_data, len);
	FIELD(dma_heap_allocation_data, fd);
	FIELD(dma_heap_allocation_data, fd_flags);
	FIELD(dma_heap_allocation_data, heap_flags);

	/* linux/usbdevice_fs.h */
	STRUCT(usbdevfs_ctrltransfer);
	FIELD(usbdevfs_ctrltransfer, bRequestType);
	FIELD(usbdevfs_ctrltransfer, bRequest);
	FIELD(usbdevfs_ctrltransfer, wValue);
	FIELD(usbdevfs_ctrltransfer, wIndex);
	FIELD(usbdevfs_ctrltransfer, wLength);
	FIELD(usbdevfs_ctrltransfer, timeout);
	FIELD(usbdevfs_ctrltransfer, data);
	STRUCT(usbdevfs_bulktransfer);
	FIELD(usbdevfs_bulktransfer, ep);
	FIELD(usbdevfs_bulktransfer, len);
	FIELD(usbdevfs_bulktransfer, timeout);
	FIELD(usbdevfs_bulktransfer, data);
	STRUCT(usbdevfs_setinterface);
	FIELD(usbdevfs_setinterface, interface);
	FIELD(usbdevfs_setinterface, altsetting);
	STRUCT(usbdevfs_getdriver);
	FIELD(usbdevfs_getdriver, interface);
	FIELD(usbdevfs_getdriver, driver);
	STRUCT(usbdevfs_connectinfo);
	FIELD(usbdevfs_connectinfo, devnum);
	FIELD(usbdevfs_connectinfo, slow);
	STRUCT(usbdevfs_iso_packet_desc);
	FIELD(usbdevfs_iso_packet_desc, length);
	FIELD(usbdevfs_iso_packet_desc, actual_length);
	FIELD(usbdevfs_iso_packet_desc, status);
	STRUCT(usbdevfs_urb);
	FIELD(usbdevfs_urb, type);
	FIELD(usbdevfs_urb, endpoint);
	FIELD(usbdevfs_urb, status);
	FIELD(usbdevfs_urb, flags);
	FIELD(usbdevfs_urb, buffer);
	FIELD(usbdevfs_urb, buffer_length);
	FIELD(usbdevfs_urb, actual_length);
	FIELD(usbdevfs_urb, start_frame);
	FIELD(usbdevfs_urb, number_of_packets);
	FIELD(usbdevfs_urb, error_count);
	FIELD(usbdevfs_urb, signr);
	FIELD(usbdevfs_urb, usercontext);
	FLEX(usbdevfs_urb, iso_frame_desc);
	STRUCT(usbdevfs_ioctl);
	FIELD(usbdevfs_ioctl, ifno);
	FIELD(usbdevfs_ioctl, ioctl_code);
	FIELD(usbdevfs_ioctl, data);
	STRUCT(usbdevfs_disconnect_claim);
	FIELD(usbdevfs_disconnect_claim, interface);
	FIELD(usbdevfs_disconnect_claim, flags);
	FIELD(usbdevfs_disconnect_claim, driver);

	/* linux/aio_abi.h, linux/time_types.h, poll.h */
	STRUCT(iocb);
	FIELD(iocb, aio_data);
	FIELD(iocb, aio_key);
	FIELD(iocb, aio_rw_flags);
	FIELD(iocb, aio_lio_opcode);
	FIELD(iocb, aio_reqprio);
	FIELD(iocb, aio_fildes);
	FIELD(iocb, aio_buf);
	FIELD(iocb, aio_nbytes);
	FIELD(iocb, aio_offset);
	FIELD(iocb, aio_reserved2);
	FIELD(iocb, aio_flags);
	FIELD(iocb, aio_resfd);
	STRUCT(io_event);
	FIELD(io_event, data);
	FIELD(io_event, obj);
	FIELD(io_event, res);
	FIELD(io_event, res2);
	STRUCT(__kernel_timespec);
	FIELD(__kernel_timespec, tv_sec);
	FIELD(__kernel_timespec, tv_nsec);
	STRUCT(pollfd);
	FIELD(pollfd, fd);
	FIELD(pollfd, events);
	FIELD(pollfd, revents);

	IOCTL(FUNCTIONFS_FIFO_STATUS);
	IOCTL(FUNCTIONFS_FIFO_FLUSH);
	IOCTL(FUNCTIONFS_CLEAR_HALT);
	IOCTL(FUNCTIONFS_INTERFACE_REVMAP);
	IOCTL(FUNCTIONFS_ENDPOINT_REVMAP);
	IOCTL(FUNCTIONFS_ENDPOINT_DESC);
	IOCTL(FUNCTIONFS_DMABUF_ATTACH);
	IOCTL(FUNCTIONFS_DMABUF_DETACH);
	IOCTL(FUNCTIONFS_DMABUF_TRANSFER);
	IOCTL(UDMABUF_CREATE);
	IOCTL(UDMABUF_CREATE_LIST);
	IOCTL(DMA_BUF_IOCTL_SYNC);
	IOCTL(DMA_BUF_IOCTL_EXPORT_SYNC_FILE);
	IOCTL(DMA_BUF_IOCTL_IMPORT_SYNC_FILE);
	IOCTL(DMA_HEAP_IOCTL_ALLOC);
	IOCTL(SYNC_IOC_FILE_INFO);
	IOCTL(USBDEVFS_CONTROL);
	IOCTL(USBDEVFS_BULK);
	IOCTL(USBDEVFS_RESETEP);
	IOCTL(USBDEVFS_SETINTERFACE);
	IOCTL(USBDEVFS_SETCONFIGURATION);
	IOCTL(USBDEVFS_GETDRIVER);
	IOCTL(USBDEVFS_SUBMITURB);
	IOCTL(USBDEVFS_DISCARDURB);
	IOCTL(USBDEVFS_REAPURB);
	IOCTL(USBDEVFS_REAPURBNDELAY);
	IOCTL(USBDEVFS_CLAIMINTERFACE);
	IOCTL(USBDEVFS_RELEASEINTERFACE);
	IOCTL(USBDEVFS_CONNECTINFO);
	IOCTL(USBDEVFS_IOCTL);
	IOCTL(USBDEVFS_RESET);
	IOCTL(USBDEVFS_CLEAR_HALT);
	IOCTL(USBDEVFS_DISCONNECT);
	IOCTL(USBDEVFS_CONNECT);
	IOCTL(USBDEVFS_GET_CAPABILITIES);
	IOCTL(USBDEVFS_DISCONNECT_CLAIM);
	IOCTL(USBDEVFS_GET_SPEED);

	CONST(O_RDONLY);
	CONST(O_WRONLY);
	CONST(O_RDWR);
	CONST(O_CREAT);
	CONST(O_EXCL);
	CONST(O_TRUNC);
	CONST(O_APPEND);
	CONST(O_NONBLOCK);
	CONST(O_CLOEXEC);
	CONST(F_GETFD);
	CONST(F_SETFD);
	CONST(F_GETFL);
	CONST(F_SETFL);
	CONST(FD_CLOEXEC);
	CONST(F_ADD_SEALS);
	CONST(F_GET_SEALS);
	CONST(F_SEAL_SEAL);
	CONST(F_SEAL_SHRINK);
	CONST(F_SEAL_GROW);
	CONST(F_SEAL_WRITE);
	CONST(F_SEAL_FUTURE_WRITE);
	CONST(MFD_CLOEXEC);
	CONST(MFD_ALLOW_SEALING);
	CONST(PROT_NONE);
	CONST(PROT_READ);
	CONST(PROT_WRITE);
	CONST(MAP_SHARED);
	CONST(MAP_PRIVATE);
	CONST(POLLIN);
	CONST(POLLPRI);
	CONST(POLLOUT);
	CONST(POLLERR);
	CONST(POLLHUP);
	CONST(POLLNVAL);
	CONST(EFD_SEMAPHORE);
	CONST(EFD_NONBLOCK);
	CONST(EFD_CLOEXEC);
	CONST(MS_RDONLY);
	CONST(MS_NOSUID);
	CONST(MS_NODEV);
	CONST(MS_NOEXEC);
	CONST(MNT_FORCE);
	CONST(MNT_DETACH);
	CONST(UMOUNT_NOFOLLOW);
	CONST(IOCB_CMD_PREAD);
	CONST(IOCB_CMD_PWRITE);
	CONST(IOCB_CMD_FSYNC);
	CONST(IOCB_CMD_FDSYNC);
	CONST(IOCB_CMD_POLL);
	CONST(IOCB_CMD_NOOP);
	CONST(IOCB_CMD_PREADV);
	CONST(IOCB_CMD_PWRITEV);
	CONST(IOCB_FLAG_RESFD);
	CONST(UDMABUF_FLAGS_CLOEXEC);
	CONST(DMA_BUF_SYNC_READ);
	CONST(DMA_BUF_SYNC_WRITE);
	CONST(DMA_BUF_SYNC_RW);
	CONST(DMA_BUF_SYNC_START);
	CONST(DMA_BUF_SYNC_END);
	CONST(FUNCTIONFS_BIND);
	CONST(FUNCTIONFS_UNBIND);
	CONST(FUNCTIONFS_ENABLE);
	CONST(FUNCTIONFS_DISABLE);
	CONST(FUNCTIONFS_SETUP);
	CONST(FUNCTIONFS_SUSPEND);
	CONST(FUNCTIONFS_RESUME);
	CONST(USBDEVFS_URB_SHORT_NOT_OK);
	CONST(USBDEVFS_URB_ISO_ASAP);
	CONST(USBDEVFS_URB_BULK_CONTINUATION);
	CONST(USBDEVFS_URB_ZERO_PACKET);
	CONST(USBDEVFS_URB_NO_INTERRUPT);
	CONST(USBDEVFS_URB_TYPE_ISO);
	CONST(USBDEVFS_URB_TYPE_INTERRUPT);
	CONST(USBDEVFS_URB_TYPE_CONTROL);
	CONST(USBDEVFS_URB_TYPE_BULK);
	CONST(USBDEVFS_CAP_ZERO_PACKET);
	CONST(USBDEVFS_CAP_BULK_CONTINUATION);
	CONST(USBDEVFS_CAP_NO_PACKET_SIZE_LIM);
	CONST(USBDEVFS_CAP_BULK_SCATTER_GATHER);
	CONST(USBDEVFS_CAP_REAP_AFTER_DISCONNECT);
	CONST(USBDEVFS_CAP_MMAP);
	CONST(USBDEVFS_CAP_DROP_PRIVILEGES);
	CONST(USBDEVFS_CAP_CONNINFO_EX);
	CONST(USBDEVFS_CAP_SUSPEND);
	CONST(USBDEVFS_DISCONNECT_CLAIM_IF_DRIVER);
	CONST(USBDEVFS_DISCONNECT_CLAIM_EXCEPT_DRIVER);
	CONST(USBDEVFS_MAXDRIVERNAME);

	SYS(io_setup);
	SYS(io_destroy);
	SYS(io_getevents);
	SYS(io_submit);
	SYS(io_cancel);
	return 0;
}
