/*
 * ibuf.c -- bounds-checked packet reader and writer.
 *
 * The only place in ikesignd that does pointer arithmetic on packets.  Both
 * kinds of buffer keep a sticky error: once a read runs past the end or a
 * write past the capacity, every later call fails too and returns zeros,
 * so callers may check once after a run of reads or writes.
 */
#include "config.h"

#include <string.h>

#include "ikesignd.h"

void
rb_init(struct rbuf *b, const uint8_t *p, size_t len)
{
	b->p = p;
	b->len = p == NULL ? 0 : len;
	b->off = 0;
	b->err = 0;
}

size_t
rb_left(const struct rbuf *b)
{
	if (b->err)
		return 0;
	return b->len - b->off;
}

/* Pointer to the next n octets, advancing past them; NULL when short. */
const uint8_t *
rb_ptr(struct rbuf *b, size_t n)
{
	const uint8_t *p;

	if (b->err || n > b->len - b->off) {
		b->err = 1;
		return NULL;
	}
	p = b->p + b->off;
	b->off += n;
	return p;
}

uint8_t
rb_u8(struct rbuf *b)
{
	const uint8_t *p = rb_ptr(b, 1);

	return p == NULL ? 0 : p[0];
}

uint16_t
rb_u16(struct rbuf *b)
{
	const uint8_t *p = rb_ptr(b, 2);

	return p == NULL ? 0 : (uint16_t)(p[0] << 8 | p[1]);
}

uint32_t
rb_u32(struct rbuf *b)
{
	const uint8_t *p = rb_ptr(b, 4);

	if (p == NULL)
		return 0;
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

int
rb_copy(struct rbuf *b, void *out, size_t n)
{
	const uint8_t *p = rb_ptr(b, n);

	if (p == NULL)
		return -1;
	if (n > 0)
		memcpy(out, p, n);
	return 0;
}

/* A reader over the next n octets of b; b advances past them. */
int
rb_sub(struct rbuf *b, struct rbuf *sub, size_t n)
{
	const uint8_t *p = rb_ptr(b, n);

	rb_init(sub, p, n);
	if (p == NULL) {
		sub->err = 1;
		return -1;
	}
	return 0;
}

void
wb_init(struct wbuf *b, uint8_t *p, size_t cap)
{
	b->p = p;
	b->cap = cap;
	b->len = 0;
	b->err = 0;
}

/* Room for n more octets, returned for the caller to fill; NULL when full. */
uint8_t *
wb_reserve(struct wbuf *b, size_t n)
{
	uint8_t *p;

	if (b->err || n > b->cap - b->len) {
		b->err = 1;
		return NULL;
	}
	p = b->p + b->len;
	b->len += n;
	return p;
}

void
wb_u8(struct wbuf *b, uint8_t v)
{
	uint8_t *p = wb_reserve(b, 1);

	if (p != NULL)
		p[0] = v;
}

void
wb_u16(struct wbuf *b, uint16_t v)
{
	uint8_t *p = wb_reserve(b, 2);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 8);
		p[1] = (uint8_t)v;
	}
}

void
wb_u32(struct wbuf *b, uint32_t v)
{
	uint8_t *p = wb_reserve(b, 4);

	if (p != NULL) {
		p[0] = (uint8_t)(v >> 24);
		p[1] = (uint8_t)(v >> 16);
		p[2] = (uint8_t)(v >> 8);
		p[3] = (uint8_t)v;
	}
}

void
wb_bytes(struct wbuf *b, const void *src, size_t n)
{
	uint8_t *p = wb_reserve(b, n);

	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

void
wb_zero(struct wbuf *b, size_t n)
{
	uint8_t *p = wb_reserve(b, n);

	if (p != NULL && n > 0)
		memset(p, 0, n);
}

/* Overwrite octets already written (lengths, next-payload fields). */
void
wb_set_u8(struct wbuf *b, size_t off, uint8_t v)
{
	if (b->err || off >= b->len) {
		b->err = 1;
		return;
	}
	b->p[off] = v;
}

void
wb_set_u16(struct wbuf *b, size_t off, uint16_t v)
{
	if (b->err || off > b->len || b->len - off < 2) {
		b->err = 1;
		return;
	}
	b->p[off] = (uint8_t)(v >> 8);
	b->p[off + 1] = (uint8_t)v;
}

void
wb_set_u32(struct wbuf *b, size_t off, uint32_t v)
{
	if (b->err || off > b->len || b->len - off < 4) {
		b->err = 1;
		return;
	}
	b->p[off] = (uint8_t)(v >> 24);
	b->p[off + 1] = (uint8_t)(v >> 16);
	b->p[off + 2] = (uint8_t)(v >> 8);
	b->p[off + 3] = (uint8_t)v;
}

/* Pointer to n written octets at off (for in-place encryption, hashing). */
uint8_t *
wb_at(struct wbuf *b, size_t off, size_t n)
{
	if (b->err || off > b->len || n > b->len - off) {
		b->err = 1;
		return NULL;
	}
	return b->p + off;
}
