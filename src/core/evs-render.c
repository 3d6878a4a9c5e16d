/* evs-render.c
 *
 * Copyright 2026 The Evscope authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "evs-render"

#include "config.h"

#include "evs-render.h"
#include "evs-error.h"

#include <math.h>
#include <string.h>

/* Renderers: events → compact per-pixel state → premultiplied ARGB32.
 *
 * Events are filed by bands of rows and accumulated band by band into a
 * small tile (per polarity: a count, the last time relative to the window
 * start, a float weight), which is coloured and cleared while it is in
 * cache; see "EvsRenderer" below.  Per-frame tables replace per-event and
 * per-pixel exp().  Memory is O(pixels); adding events is O(events in the
 * window); finishing is O(pixels + events).  Everything here is a pure
 * function of the events and the parameters, so the GUI, the CLI and the
 * tests produce the same bytes (tests/test-render.c checks them against a
 * direct per-pixel reference). */

G_DEFINE_ENUM_TYPE (EvsViewMode, evs_view_mode,
                    G_DEFINE_ENUM_VALUE (EVS_VIEW_MODE_ACCUMULATE, "accumulate"),
                    G_DEFINE_ENUM_VALUE (EVS_VIEW_MODE_TIME_SURFACE, "time-surface"))

G_DEFINE_ENUM_TYPE (EvsAccumulateStyle, evs_accumulate_style,
                    G_DEFINE_ENUM_VALUE (EVS_ACCUMULATE_STYLE_ON_OFF, "on-off"),
                    G_DEFINE_ENUM_VALUE (EVS_ACCUMULATE_STYLE_SIGNED_GREY, "signed-grey"))

G_DEFINE_ENUM_TYPE (EvsDecay, evs_decay,
                    G_DEFINE_ENUM_VALUE (EVS_DECAY_NONE, "none"),
                    G_DEFINE_ENUM_VALUE (EVS_DECAY_LINEAR, "linear"),
                    G_DEFINE_ENUM_VALUE (EVS_DECAY_EXPONENTIAL, "exponential"))

G_DEFINE_ENUM_TYPE (EvsColormap, evs_colormap,
                    G_DEFINE_ENUM_VALUE (EVS_COLORMAP_VIRIDIS, "viridis"),
                    G_DEFINE_ENUM_VALUE (EVS_COLORMAP_INFERNO, "inferno"),
                    G_DEFINE_ENUM_VALUE (EVS_COLORMAP_GREY, "grey"))

#define MAX_WINDOW_US G_GINT64_CONSTANT (2000000000)

void
evs_render_params_init (EvsRenderParams *params)
{
  g_return_if_fail (params != NULL);

  memset (params, 0, sizeof *params);
  params->mode = EVS_VIEW_MODE_ACCUMULATE;
  params->t_end = 10000;
  params->window_us = 10000;
  params->style = EVS_ACCUMULATE_STYLE_ON_OFF;
  params->decay = EVS_DECAY_NONE;
  params->contrast = 1.0;
  params->tau_us = 5000.0;
  params->split_polarity = FALSE;
  params->colormap = EVS_COLORMAP_VIRIDIS;
}

/* Colormaps: piecewise-linear through matplotlib's values at 0, 0.1, …, 1. */
static const guint32 viridis_stops[11] = {
  0x440154, 0x482475, 0x414487, 0x355f8d, 0x2a788e, 0x21918c,
  0x22a884, 0x44bf70, 0x7ad151, 0xbddf26, 0xfde725,
};
static const guint32 inferno_stops[11] = {
  0x000004, 0x160b39, 0x420a68, 0x6a176e, 0x932667, 0xbc3754,
  0xdd513a, 0xf37819, 0xfca50a, 0xf6d746, 0xfcffa4,
};

static guint32 lut_viridis[256];
static guint32 lut_inferno[256];
static guint32 lut_grey[256];

/* Branch-free clamps (minsd/maxsd): NaN and v ≤ 0 give 0. */
static inline guint8
to_byte (double v)
{
  v = v > 0.0 ? v : 0.0;
  v = v < 1.0 ? v : 1.0;
  return (guint8) (v * 255.0 + 0.5);
}

static inline guint8
channel_clamp (double v)
{
  v = v > 0.0 ? v : 0.0;
  v = v < 255.0 ? v : 255.0;
  return (guint8) (v + 0.5);
}

static inline guint32
argb (guint8 r,
      guint8 g,
      guint8 b)
{
  return 0xff000000u | ((guint32) r << 16) | ((guint32) g << 8) | b;
}

static void
fill_lut (guint32       *lut,
          const guint32 *stops)
{
  for (guint i = 0; i < 256; i++)
    {
      double pos = i / 255.0 * 10.0;
      guint k = MIN ((guint) pos, 9);
      double f = pos - k;
      guint32 a = stops[k], b = stops[k + 1];
      double r = ((a >> 16) & 0xff) * (1 - f) + ((b >> 16) & 0xff) * f;
      double g = ((a >> 8) & 0xff) * (1 - f) + ((b >> 8) & 0xff) * f;
      double bl = (a & 0xff) * (1 - f) + (b & 0xff) * f;

      lut[i] = argb (channel_clamp (r), channel_clamp (g), channel_clamp (bl));
    }
}

static const guint32 *
get_lut (EvsColormap colormap)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      fill_lut (lut_viridis, viridis_stops);
      fill_lut (lut_inferno, inferno_stops);
      for (guint i = 0; i < 256; i++)
        lut_grey[i] = argb (i, i, i);
      g_once_init_leave (&initialized, 1);
    }

  switch (colormap)
    {
    case EVS_COLORMAP_INFERNO:
      return lut_inferno;
    case EVS_COLORMAP_GREY:
      return lut_grey;
    case EVS_COLORMAP_VIRIDIS:
    default:
      return lut_viridis;
    }
}

/* EvsFrame */

G_DEFINE_BOXED_TYPE (EvsFrame, evs_frame, evs_frame_ref, evs_frame_unref)

EvsFrame *
evs_frame_ref (EvsFrame *frame)
{
  g_return_val_if_fail (frame != NULL, NULL);

  g_atomic_ref_count_inc (&frame->ref_count);
  return frame;
}

void
evs_frame_unref (EvsFrame *frame)
{
  g_return_if_fail (frame != NULL);

  if (g_atomic_ref_count_dec (&frame->ref_count))
    {
      /* counts and last_t live in the same block as the pixels, released
       * with the last reference to the bytes (a texture may hold them). */
      g_clear_pointer (&frame->pixels, g_bytes_unref);
      g_free (frame);
    }
}

/**
 * evs_frame_lookup:
 * @count: (out) (optional): events at (@x, @y) in the window
 * @last_t: (out) (optional): time of the last of them (µs), or -1
 *
 * Returns: %FALSE when (@x, @y) is outside the sensor
 */
gboolean
evs_frame_lookup (const EvsFrame *frame,
                  guint           x,
                  guint           y,
                  guint          *count,
                  gint64         *last_t)
{
  gsize i;

  g_return_val_if_fail (frame != NULL, FALSE);

  if (x >= frame->width || y >= frame->height)
    return FALSE;

  i = (gsize) y * frame->width + x;
  if (count != NULL)
    *count = frame->counts[i];
  if (last_t != NULL)
    *last_t = frame->last_t[i] == 0 ? -1 : frame->t_start + frame->last_t[i] - 1;

  return TRUE;
}

/**
 * evs_frame_get_pixel:
 *
 * Returns: the premultiplied ARGB32 value at (@x, @y), as 0xAARRGGBB
 */
guint32
evs_frame_get_pixel (const EvsFrame *frame,
                     guint           x,
                     guint           y)
{
  const guint8 *data;

  g_return_val_if_fail (frame != NULL, 0);
  g_return_val_if_fail (x < frame->width && y < frame->height, 0);

  data = g_bytes_get_data (frame->pixels, NULL);
  return *(const guint32 *) (gconstpointer) (data + y * frame->stride + x * 4);
}

/**
 * evs_frame_count_non_background:
 *
 * Returns: how many pixels differ from the colour of an empty pixel
 */
gsize
evs_frame_count_non_background (const EvsFrame *frame)
{
  g_autoptr(EvsRenderer) empty = NULL;
  g_autoptr(EvsFrame) blank = NULL;
  guint32 bg;
  gsize n = 0;

  g_return_val_if_fail (frame != NULL, 0);

  if (frame->width == 0 || frame->height == 0)
    return 0;

  empty = evs_renderer_new (1, 1, &frame->params);
  blank = evs_renderer_finish (empty);
  bg = evs_frame_get_pixel (blank, 0, 0);

  for (guint y = 0; y < frame->height; y++)
    for (guint x = 0; x < frame->width; x++)
      n += evs_frame_get_pixel (frame, x, y) != bg;

  return n;
}

/**
 * evs_frame_create_surface:
 *
 * Returns: (transfer full): an image surface sharing the frame's pixels
 *   (keeping the frame alive); do not draw on it
 */
cairo_surface_t *
evs_frame_create_surface (EvsFrame *frame)
{
  static const cairo_user_data_key_t key;
  cairo_surface_t *surface;

  g_return_val_if_fail (frame != NULL, NULL);

  surface = cairo_image_surface_create_for_data ((guchar *) g_bytes_get_data (frame->pixels, NULL),
                                                 CAIRO_FORMAT_ARGB32,
                                                 frame->width, frame->height,
                                                 frame->stride);
  cairo_surface_set_user_data (surface, &key, evs_frame_ref (frame),
                               (cairo_destroy_func_t) evs_frame_unref);
  return surface;
}

static cairo_status_t
write_png_cb (void                *closure,
              const unsigned char *data,
              unsigned int         length)
{
  GOutputStream *stream = closure;

  if (!g_output_stream_write_all (stream, data, length, NULL, NULL, NULL))
    return CAIRO_STATUS_WRITE_ERROR;
  return CAIRO_STATUS_SUCCESS;
}

/**
 * evs_frame_save_png:
 *
 * Writes the frame at sensor resolution to @path, atomically (a temporary
 * file beside it, renamed on success).
 */
gboolean
evs_frame_save_png (EvsFrame    *frame,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;

  g_return_val_if_fail (frame != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  if (frame->width == 0 || frame->height == 0)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "Cannot save an empty frame to “%s”", path);
      return FALSE;
    }

  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_REPLACE_DESTINATION, NULL, error);
  if (stream == NULL)
    return FALSE;

  surface = evs_frame_create_surface (frame);
  status = cairo_surface_write_to_png_stream (surface, write_png_cb, stream);
  cairo_surface_destroy (surface);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_autoptr(GError) ignored = NULL;
      g_autoptr(GCancellable) cancel = g_cancellable_new ();

      /* Cancelling the close discards the temporary file. */
      g_cancellable_cancel (cancel);
      g_output_stream_close (G_OUTPUT_STREAM (stream), cancel, &ignored);
      g_set_error (error, EVS_ERROR, EVS_ERROR_IO, "Could not write PNG “%s”: %s",
                   path, cairo_status_to_string (status));
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, error);
}

/* Frame buffers are recycled: a fresh multi-megabyte allocation per frame
 * costs a page fault per 4 KiB on first touch, more than the rendering
 * itself.  A block holds a frame's pixels, counts and last times; it goes
 * back to its pool when the last reference to the frame's pixel GBytes is
 * dropped (the frame, or a texture wrapping the bytes).  A recycled block
 * remembers what it holds, so preparing it for the next frame costs
 * O(pixels touched): the pixels its sparse bands set (the dirty list), and
 * which bands were written whole (those are filled again only when the next
 * frame draws them sparsely). */

typedef struct _FramePool FramePool;

typedef struct
{
  FramePool *pool;
  gsize      n_pixels;
  guint32   *pixels;
  guint16   *counts;
  gint32    *last_t;
  guint32   *dirty;      /* pixels of sparse bands that are not background */
  gsize      n_dirty;
  gsize      dirty_capacity;
  guint8    *unclean;    /* per band: may hold anything but background */
  guint32    background; /* what the other pixels hold… */
  gboolean   filled;     /* …once filled */
} FrameBlock;

struct _FramePool
{
  gatomicrefcount ref_count;
  GMutex          mutex;
  GPtrArray      *spare;  /* FrameBlock */
  gsize           n_pixels;
  guint           n_bands;
};

#define MAX_SPARE_BLOCKS 2

static void
frame_block_free (FrameBlock *block)
{
  g_free (block->pixels);
  g_free (block->counts);
  g_free (block->last_t);
  g_free (block->dirty);
  g_free (block->unclean);
  g_free (block);
}

static FramePool *
frame_pool_new (gsize n_pixels,
                guint n_bands)
{
  FramePool *pool = g_new0 (FramePool, 1);

  g_atomic_ref_count_init (&pool->ref_count);
  g_mutex_init (&pool->mutex);
  pool->spare = g_ptr_array_new ();
  pool->n_pixels = n_pixels;
  pool->n_bands = n_bands;
  return pool;
}

static FramePool *
frame_pool_ref (FramePool *pool)
{
  g_atomic_ref_count_inc (&pool->ref_count);
  return pool;
}

static void
frame_pool_unref (FramePool *pool)
{
  if (!g_atomic_ref_count_dec (&pool->ref_count))
    return;

  for (guint i = 0; i < pool->spare->len; i++)
    frame_block_free (g_ptr_array_index (pool->spare, i));
  g_ptr_array_unref (pool->spare);
  g_mutex_clear (&pool->mutex);
  g_free (pool);
}

/* A block whose pixels outside its unclean bands are @background and whose
 * counts and last times there are 0. */
static FrameBlock *
frame_pool_acquire (FramePool *pool,
                    guint32    background)
{
  FrameBlock *block = NULL;

  g_mutex_lock (&pool->mutex);
  if (pool->spare->len > 0)
    block = g_ptr_array_steal_index_fast (pool->spare, pool->spare->len - 1);
  g_mutex_unlock (&pool->mutex);

  if (block == NULL)
    {
      gsize n = MAX (pool->n_pixels, 1);

      block = g_new0 (FrameBlock, 1);
      block->n_pixels = pool->n_pixels;
      block->pixels = g_new (guint32, n);
      block->counts = g_new (guint16, n);
      block->last_t = g_new (gint32, n);
      block->unclean = g_new (guint8, MAX (pool->n_bands, 1));
    }

  if (!block->filled || block->background != background)
    {
      /* Everything is filled again as it is drawn. */
      memset (block->unclean, 1, MAX (pool->n_bands, 1));
      if (pool->n_pixels == 0)
        block->pixels[0] = background;
    }
  else
    {
      for (gsize i = 0; i < block->n_dirty; i++)
        {
          guint32 px = block->dirty[i];

          block->pixels[px] = background;
          block->counts[px] = 0;
          block->last_t[px] = 0;
        }
    }
  block->n_dirty = 0;
  block->background = background;
  block->filled = TRUE;
  block->pool = frame_pool_ref (pool);

  return block;
}

static inline void
frame_block_add_dirty (FrameBlock *block,
                       guint32     px)
{
  if (G_UNLIKELY (block->n_dirty == block->dirty_capacity))
    {
      block->dirty_capacity = MIN (MAX (block->dirty_capacity * 2, 4096), MAX (block->n_pixels, 1));
      block->dirty = g_renew (guint32, block->dirty, block->dirty_capacity);
    }
  block->dirty[block->n_dirty++] = px;
}

static void
frame_block_release (gpointer data)
{
  FrameBlock *block = data;
  FramePool *pool = g_steal_pointer (&block->pool);

  g_mutex_lock (&pool->mutex);
  if (pool->spare->len < MAX_SPARE_BLOCKS)
    {
      g_ptr_array_add (pool->spare, block);
      block = NULL;
    }
  g_mutex_unlock (&pool->mutex);

  if (block != NULL)
    frame_block_free (block);
  frame_pool_unref (pool);
}

/* EvsRenderer
 *
 * Applying events one by one to a sensor-sized state costs a cache miss per
 * event, and colouring and clearing that state costs several passes over
 * tens of megabytes.  Instead evs_renderer_add() files each event of the
 * window, packed in 8 bytes, under its band of rows (a few thousand pixels).
 * evs_renderer_finish() then renders band after band: the band's events are
 * accumulated into a small tile that stays in cache, and a few tight
 * passes colour the tile into the frame and clear it.  The frame's buffers
 * are the only sensor-sized memory written per frame.  A band with few
 * events (under 1/32 of its pixels) is coloured pixel by pixel from its
 * list instead, the recycled frame block remembering what to clean.
 *
 * Memory stays O(pixels): a band's list holds at most MAX (pixels of the
 * band, 4096) events (8 bytes each); a fuller band is folded into a tile of
 * its own (24 bytes per pixel, allocated the first time it is needed). */

/* What the pixels of a band accumulate, as arrays (the colouring loops
 * vectorise), all zero when empty. */
typedef struct
{
  gint32  *last[2]; /* OFF, ON: time − t_start + 1 of the last, or 0 when none */
  guint32 *n[2];    /* OFF, ON: events (saturating) */
  float   *w[2];    /* OFF, ON: decayed weights (accumulation with decay) */
  gpointer mem;
} Tile;

typedef struct
{
  gint32 last[2];   /* OFF, ON: time − t_start + 1, or 0 when none */
  float  weight[2]; /* OFF, ON (accumulation) */
} PixelState;

typedef struct
{
  Tile     tile;    /* events folded so far */
  gboolean used;
} Folded;

/* Small: evs_renderer_add() goes through hundreds of them */
typedef struct
{
  guint64 *events;  /* (t − t_start) << 32 | offset in the band << 1 | p */
  guint32  len;
  guint32  capacity;
  Folded  *folded;  /* or NULL (allocated on demand) */
} Band;

/* Bands of at most this many pixels (24 bytes each): tiles stay in cache
 * (measured: 4096 beats 2048, 8192 and 16384 at 1280×720) */
#define TILE_PIXELS 4096
/* Largest windows (µs) whose weights and surface values are tabulated */
#define MAX_LUT_WINDOW 262144

struct _EvsRenderer
{
  EvsRenderParams params;
  guint           width;
  guint           height;
  gint64          t_start;
  guint64         n_events;
  guint           band_shift;   /* a band is 1 << band_shift rows */
  guint           n_bands;
  gsize           band_pixels;
  guint32         band_limit;   /* most events a band's list holds */
  Band           *bands;
  Tile            tile;         /* band_pixels cells, zero between bands */
  guint8         *scratch;      /* band_pixels bytes */
  guint32        *touched;      /* band_pixels offsets */
  FramePool      *pool;

  /* Per-frame tables, kept while their parameters do not change */
  float          *weight_lut;   /* [t − t_start]: the decayed weight */
  EvsDecay        weight_decay;
  gint64          weight_window;
  double          weight_tau;
  double         *surface_lut;  /* [last]: surface value */
  guint32        *color_lut;    /* [last]: merged time-surface colour */
  gint64          surface_window;
  double          surface_tau;
  EvsColormap     surface_colormap;
};

static void
tile_init (Tile  *tile,
           gsize  n)
{
  guint8 *mem = g_malloc0 (n * 6 * 4);

  tile->mem = mem;
  for (guint p = 0; p < 2; p++)
    {
      tile->last[p] = (gint32 *) (gpointer) (mem + (0 + p) * n * 4);
      tile->n[p] = (guint32 *) (gpointer) (mem + (2 + p) * n * 4);
      tile->w[p] = (float *) (gpointer) (mem + (4 + p) * n * 4);
    }
}

static void
tile_clear (Tile     *tile,
            gsize     n,
            gboolean  weights)
{
  for (guint p = 0; p < 2; p++)
    {
      memset (tile->last[p], 0, n * sizeof (gint32));
      memset (tile->n[p], 0, n * sizeof (guint32));
      if (weights)
        memset (tile->w[p], 0, n * sizeof (float));
    }
}

static void
set_params (EvsRenderer           *self,
            const EvsRenderParams *params)
{
  self->params = *params;
  self->params.window_us = CLAMP (params->window_us, 1, MAX_WINDOW_US);
  if (!(self->params.contrast > 0.0))
    self->params.contrast = 1.0;
  if (!(self->params.tau_us >= 1.0))
    self->params.tau_us = 1.0;
  self->t_start = self->params.t_end - self->params.window_us;
  self->n_events = 0;
}

/* Whether a table of @window + 1 entries is worth computing for a frame of
 * @n_events events (it is kept for the next frames). */
static inline gboolean
want_lut (gint64  window,
          guint64 n_events)
{
  return window < MAX_LUT_WINDOW && (guint64) window <= 16 * n_events + 65536;
}

static inline double
decay_weight (EvsDecay decay,
              gint64   age,
              double   window,
              double   inv_tau)
{
  switch (decay)
    {
    case EVS_DECAY_LINEAR:
      return 1.0 - (double) age / window;
    case EVS_DECAY_EXPONENTIAL:
      return exp (-(double) age * inv_tau);
    case EVS_DECAY_NONE:
    default:
      return 1.0;
    }
}

static void
prepare_weights (EvsRenderer *self)
{
  const EvsRenderParams *params = &self->params;
  gint64 window = params->window_us;

  if (params->mode != EVS_VIEW_MODE_ACCUMULATE || params->decay == EVS_DECAY_NONE)
    return;
  if (self->weight_lut != NULL && self->weight_decay == params->decay
      && self->weight_window == window && self->weight_tau == params->tau_us)
    return;
  g_clear_pointer (&self->weight_lut, g_free);
  if (!want_lut (window, self->n_events))
    return;

  self->weight_lut = g_new (float, window);
  for (gint64 t = 0; t < window; t++)
    self->weight_lut[t] = (float) decay_weight (params->decay, window - t, (double) window,
                                                1.0 / params->tau_us);
  self->weight_decay = params->decay;
  self->weight_window = window;
  self->weight_tau = params->tau_us;
}

/* Adds @n packed events to @tile, in order. */
static void
accumulate (EvsRenderer   *self,
            Tile          *tile,
            const guint64 *events,
            gsize          n)
{
  const EvsRenderParams *params = &self->params;

  if (params->mode == EVS_VIEW_MODE_ACCUMULATE && params->decay != EVS_DECAY_NONE)
    {
      const float *lut = self->weight_lut;
      gint64 window = params->window_us;
      double inv_tau = 1.0 / params->tau_us;

      for (gsize k = 0; k < n; k++)
        {
          guint64 e = events[k];
          guint32 t = (guint32) (e >> 32);
          guint p = e & 1;
          guint32 i = (guint32) e >> 1;

          tile->n[p][i] += tile->n[p][i] != G_MAXUINT32;
          tile->last[p][i] = (gint32) t + 1;
          if (lut != NULL)
            tile->w[p][i] += lut[t];
          else
            tile->w[p][i] += (float) decay_weight (params->decay, window - t, (double) window,
                                                   inv_tau);
        }
    }
  else
    for (gsize k = 0; k < n; k++)
      {
        guint64 e = events[k];
        guint p = e & 1;
        guint32 i = (guint32) e >> 1;

        tile->n[p][i] += tile->n[p][i] != G_MAXUINT32;
        tile->last[p][i] = (gint32) (e >> 32) + 1;
      }
}

static inline guint
band_rows (EvsRenderer *self,
           guint        b)
{
  guint first = b << self->band_shift;

  return MIN (self->height - first, 1u << self->band_shift);
}

static void
fold_band (EvsRenderer *self,
           Band        *band)
{
  if (band->folded == NULL)
    {
      band->folded = g_new0 (Folded, 1);
      tile_init (&band->folded->tile, self->band_pixels);
    }
  prepare_weights (self);
  accumulate (self, &band->folded->tile, band->events, band->len);
  band->folded->used = TRUE;
  band->len = 0;
}

/**
 * evs_renderer_new:
 *
 * Creates the per-pixel state for frames of @width × @height.  Feed it
 * the window's events with evs_renderer_add() (events outside the window or
 * the sensor are ignored), get the frame with evs_renderer_finish(), and
 * reuse it for the next frame with evs_renderer_reset(): the state is
 * allocated once, and a reset costs O(bands).
 */
EvsRenderer *
evs_renderer_new (guint                  width,
                  guint                  height,
                  const EvsRenderParams *params)
{
  EvsRenderer *self;
  gsize n_pixels = (gsize) width * height;

  g_return_val_if_fail (params != NULL, NULL);

  self = g_new0 (EvsRenderer, 1);
  self->width = width;
  self->height = height;
  while (self->band_shift < 16 && (1u << (self->band_shift + 1)) <= MAX (height, 1)
         && ((gsize) width << (self->band_shift + 1)) <= TILE_PIXELS)
    self->band_shift++;
  self->n_bands = n_pixels == 0 ? 0 : (height + (1u << self->band_shift) - 1) >> self->band_shift;
  self->band_pixels = MAX ((gsize) width << self->band_shift, 1);
  self->band_limit = (guint32) MAX (self->band_pixels, 4096);
  self->bands = g_new0 (Band, MAX (self->n_bands, 1));
  tile_init (&self->tile, self->band_pixels);
  self->scratch = g_new (guint8, self->band_pixels);
  self->touched = g_new (guint32, self->band_pixels);
  self->pool = frame_pool_new (n_pixels, self->n_bands);
  set_params (self, params);

  return self;
}

/**
 * evs_renderer_reset:
 *
 * Empties the state for a new frame with @params.
 */
void
evs_renderer_reset (EvsRenderer           *self,
                    const EvsRenderParams *params)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (params != NULL);

  for (guint b = 0; b < self->n_bands; b++)
    {
      Band *band = &self->bands[b];

      band->len = 0;
      if (band->folded != NULL && band->folded->used)
        {
          tile_clear (&band->folded->tile, self->band_pixels, TRUE);
          band->folded->used = FALSE;
        }
    }
  set_params (self, params);
}

guint
evs_renderer_get_width (EvsRenderer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->width;
}

guint
evs_renderer_get_height (EvsRenderer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->height;
}

void
evs_renderer_free (EvsRenderer *self)
{
  if (self == NULL)
    return;

  for (guint b = 0; b < self->n_bands; b++)
    {
      g_free (self->bands[b].events);
      if (self->bands[b].folded != NULL)
        g_free (self->bands[b].folded->tile.mem);
      g_free (self->bands[b].folded);
    }
  g_free (self->bands);
  g_free (self->tile.mem);
  g_free (self->scratch);
  g_free (self->touched);
  g_free (self->weight_lut);
  g_free (self->surface_lut);
  g_free (self->color_lut);
  frame_pool_unref (self->pool);
  g_free (self);
}

void
evs_renderer_add (EvsRenderer         *self,
                  const EvsEventChunk *chunk)
{
  gint64 t_start, t_end;
  guint width, height, shift, mask;
  guint64 n_added = 0;
  const gint64 *restrict ts;
  const guint16 *restrict xs, *restrict ys;
  const guint8 *restrict ps;
  Band *bands;
  gsize n;

  g_return_if_fail (self != NULL);
  g_return_if_fail (chunk != NULL);

  /* Locals: the stores below cannot change them */
  ts = chunk->t;
  xs = chunk->x;
  ys = chunk->y;
  ps = chunk->p;
  n = chunk->n_events;
  bands = self->bands;

  t_start = self->t_start;
  t_end = self->params.t_end;
  width = self->width;
  height = self->height;
  shift = self->band_shift;
  mask = (1u << shift) - 1;

  for (gsize i = 0; i < n; i++)
    {
      gint64 t = ts[i];
      guint x = xs[i], y = ys[i];
      Band *band;

      if (t < t_start || t >= t_end || x >= width || y >= height)
        continue;

      band = &bands[y >> shift];
      if (G_UNLIKELY (band->len == band->capacity))
        {
          if (band->capacity < self->band_limit)
            {
              band->capacity = MIN (MAX (band->capacity * 2, 1024), self->band_limit);
              band->events = g_renew (guint64, band->events, band->capacity);
            }
          else
            {
              self->n_events += n_added;
              n_added = 0;
              fold_band (self, band);
            }
        }
      band->events[band->len++] = ((guint64) (t - t_start) << 32)
                                  | (guint64) (((y & mask) * width + x) << 1)
                                  | (ps[i] ? 1 : 0);
      n_added++;
    }
  self->n_events += n_added;
}

static inline double
surface_value (gint32 last,
               gint64 window,
               double inv_tau)
{
  if (last <= 0)
    return 0.0;
  /* last − 1 is the event's offset from t_start */
  return exp (-(double) (window - (last - 1)) * inv_tau);
}

typedef struct
{
  double c;
  double bg[3], on[3], off[3];
  const guint32 *lut;
  double inv_tau;
} Shade;

G_ALWAYS_INLINE static inline guint32
shade_pixel (const EvsRenderParams *params,
             const Shade           *shade,
             const PixelState      *st)
{
  if (params->mode == EVS_VIEW_MODE_ACCUMULATE)
    {
      double w_off = st->weight[0];
      double w_on = st->weight[1];

      if (params->style == EVS_ACCUMULATE_STYLE_SIGNED_GREY)
        {
          double v = CLAMP (shade->c * (w_on - w_off), -1.0, 1.0);
          guint8 g = to_byte (0.5 + 0.5 * v);

          return argb (g, g, g);
        }
      else
        {
          /* Hue from the ON/OFF balance, intensity from the total weight:
           * a pixel with both polarities blends them instead of clipping. */
          double w = w_on + w_off;
          double a = MIN (1.0, shade->c * w);
          guint8 rgb[3];

          if (!(w > 0))
            return argb (channel_clamp (shade->bg[0]), channel_clamp (shade->bg[1]),
                         channel_clamp (shade->bg[2]));
          for (guint k = 0; k < 3; k++)
            {
              double mix = (w_on * shade->on[k] + w_off * shade->off[k]) / w;

              rgb[k] = channel_clamp (shade->bg[k] + a * (mix - shade->bg[k]));
            }
          return argb (rgb[0], rgb[1], rgb[2]);
        }
    }
  else
    {
      double v;

      if (params->split_polarity)
        v = 0.5 + 0.5 * (surface_value (st->last[1], params->window_us, shade->inv_tau)
                         - surface_value (st->last[0], params->window_us, shade->inv_tau));
      else /* exp is monotonic: the newest event gives the max */
        v = surface_value (MAX (st->last[0], st->last[1]), params->window_us, shade->inv_tau);

      return shade->lut[to_byte (v)];
    }
}

#define SMALL_COUNTS 16

static void
rgb_of (guint32 color,
        double *rgb)
{
  rgb[0] = (color >> 16) & 0xff;
  rgb[1] = (color >> 8) & 0xff;
  rgb[2] = color & 0xff;
}

static void
prepare_surface (EvsRenderer   *self,
                 const guint32 *colormap)
{
  const EvsRenderParams *params = &self->params;
  gint64 window = params->window_us;
  double inv_tau = 1.0 / params->tau_us;

  if (params->mode != EVS_VIEW_MODE_TIME_SURFACE)
    return;
  if (self->surface_lut != NULL && self->surface_window == window
      && self->surface_tau == params->tau_us && self->surface_colormap == params->colormap)
    return;
  g_clear_pointer (&self->surface_lut, g_free);
  g_clear_pointer (&self->color_lut, g_free);
  if (!want_lut (window, self->n_events))
    return;

  self->surface_lut = g_new (double, window + 1);
  self->color_lut = g_new (guint32, window + 1);
  for (gint64 last = 0; last <= window; last++)
    {
      self->surface_lut[last] = surface_value ((gint32) last, window, inv_tau);
      self->color_lut[last] = colormap[to_byte (self->surface_lut[last])];
    }
  self->surface_window = window;
  self->surface_tau = params->tau_us;
  self->surface_colormap = params->colormap;
}

typedef struct
{
  const EvsRenderParams *params;
  Shade                  shade;
  gboolean               counts_only; /* accumulation without decay */
  guint32                small[SMALL_COUNTS][SMALL_COUNTS];
  const double          *surface;     /* or NULL */
  const guint32         *merged;      /* or NULL */
  guint8                *scratch;     /* a band's pixels */
  guint32               *touched;     /* a band's pixels */
  guint32                background;
} Painter;

G_ALWAYS_INLINE static inline guint32
paint_cell (const Painter *painter,
            const Tile    *tile,
            gsize          i)
{
  const EvsRenderParams *params = painter->params;
  PixelState st;

  if (params->mode == EVS_VIEW_MODE_TIME_SURFACE)
    {
      if (painter->merged != NULL)
        return painter->merged[MAX (tile->last[0][i], tile->last[1][i])];
      if (painter->surface != NULL)
        {
          /* the split surface, as shade_pixel() computes it */
          double v = 0.5 + 0.5 * (painter->surface[tile->last[1][i]]
                                  - painter->surface[tile->last[0][i]]);

          return painter->shade.lut[to_byte (v)];
        }
    }
  else if (painter->counts_only)
    {
      guint32 off = tile->n[0][i], on = tile->n[1][i];

      if (G_LIKELY ((on | off) < SMALL_COUNTS))
        return painter->small[on][off];
      /* Float weights counting events stop growing at 2^24. */
      st.weight[0] = (float) MIN (off, 1u << 24);
      st.weight[1] = (float) MIN (on, 1u << 24);
      st.last[0] = st.last[1] = 0;
      return shade_pixel (params, &painter->shade, &st);
    }

  st.last[0] = tile->last[0][i];
  st.last[1] = tile->last[1][i];
  st.weight[0] = tile->w[0][i];
  st.weight[1] = tile->w[1][i];
  return shade_pixel (params, &painter->shade, &st);
}

static inline guint16
cell_count (guint32 a,
            guint32 b)
{
  guint32 sum = a + b;

  return (guint16) MIN (sum < a ? G_MAXUINT32 : sum, G_MAXUINT16);
}

/* Colours all the pixels of a band from @tile, clearing it when @clear;
 * simple loops over arrays that the compiler vectorises. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
/* AVX2 doubles the vectors and gathers the look-ups, where the CPU has it */
__attribute__((target_clones ("default", "avx2")))
#endif
static void
paint_dense (const Painter *painter,
             FrameBlock    *block,
             gsize          first,
             gsize          n,
             Tile          *tile,
             const guint64 *events,
             gsize          n_events,
             gboolean       clear)
{
  guint32 *restrict pixels = block->pixels + first;
  guint16 *restrict counts = block->counts + first;
  gint32 *restrict last_t = block->last_t + first;
  const gint32 *restrict l0 = tile->last[0], *restrict l1 = tile->last[1];
  const guint32 *restrict n0 = tile->n[0], *restrict n1 = tile->n[1];

  for (gsize i = 0; i < n; i++)
    last_t[i] = MAX (l0[i], l1[i]);
  if (!painter->counts_only)
    for (gsize i = 0; i < n; i++)
      counts[i] = cell_count (n0[i], n1[i]);

  if (painter->params->mode == EVS_VIEW_MODE_TIME_SURFACE && painter->merged != NULL)
    {
      const guint32 *restrict merged = painter->merged;

      for (gsize i = 0; i < n; i++)
        pixels[i] = merged[last_t[i]];
    }
  else if (painter->counts_only)
    {
      const guint32 *restrict small = &painter->small[0][0];
      guint8 *restrict index = painter->scratch;
      guint32 big = 0;

      /* The counts and the table index (vectorised), then the look-ups */
      G_STATIC_ASSERT (SMALL_COUNTS == 16);
      for (gsize i = 0; i < n; i++)
        {
          guint32 off = n0[i], on = n1[i];
          guint32 fits = ((off | on) >> 4) == 0;

          counts[i] = cell_count (off, on);
          index[i] = (guint8) (fits ? on << 4 | off : 0);
          big |= !fits;
        }
      for (gsize i = 0; i < n; i++)
        pixels[i] = small[index[i]];
      if (big)
        for (gsize i = 0; i < n; i++)
          if ((n0[i] | n1[i]) >= SMALL_COUNTS)
            pixels[i] = paint_cell (painter, tile, i);
    }
  else if (painter->params->mode == EVS_VIEW_MODE_TIME_SURFACE && painter->surface != NULL)
    {
      const double *restrict surface = painter->surface;
      const guint32 *restrict colormap = painter->shade.lut;

      /* the split surface, as shade_pixel() computes it */
      for (gsize i = 0; i < n; i++)
        pixels[i] = colormap[to_byte (0.5 + 0.5 * (surface[l1[i]] - surface[l0[i]]))];
    }
  else if (painter->params->mode == EVS_VIEW_MODE_ACCUMULATE)
    {
      const float *restrict w0 = tile->w[0], *restrict w1 = tile->w[1];
      guint32 *restrict touched = painter->touched;
      const Shade *shade = &painter->shade;
      gsize m = 0;

      /* Only pixels with events need the arithmetic: the background, the
       * list of the others (branch-free), then their colours (one loop per
       * style, without branches: it vectorises). */
      for (gsize i = 0; i < n; i++)
        {
          pixels[i] = painter->background;
          touched[m] = (guint32) i;
          m += (n0[i] | n1[i]) != 0;
        }
      if (painter->params->style == EVS_ACCUMULATE_STYLE_SIGNED_GREY)
        for (gsize k = 0; k < m; k++)
          {
            guint32 i = touched[k];
            double w_off = w0[i], w_on = w1[i];
            double v = CLAMP (shade->c * (w_on - w_off), -1.0, 1.0);
            guint32 g = to_byte (0.5 + 0.5 * v);

            pixels[i] = 0xff000000u | g << 16 | g << 8 | g;
          }
      else
        for (gsize k = 0; k < m; k++)
          {
            /* as shade_pixel() (w > 0 here: the weights are positive) */
            guint32 i = touched[k];
            double w_off = w0[i], w_on = w1[i];
            double w = w_on + w_off;
            double a = MIN (1.0, shade->c * w);
            double r = (w_on * shade->on[0] + w_off * shade->off[0]) / w;
            double g = (w_on * shade->on[1] + w_off * shade->off[1]) / w;
            double b = (w_on * shade->on[2] + w_off * shade->off[2]) / w;
            guint32 color = 0xff000000u;

            color |= (guint32) channel_clamp (shade->bg[0] + a * (r - shade->bg[0])) << 16;
            color |= (guint32) channel_clamp (shade->bg[1] + a * (g - shade->bg[1])) << 8;
            color |= (guint32) channel_clamp (shade->bg[2] + a * (b - shade->bg[2]));
            pixels[i] = w > 0 ? color : painter->background;
          }
    }
  else
    for (gsize i = 0; i < n; i++)
      pixels[i] = paint_cell (painter, tile, i);

  if (clear)
    tile_clear (tile, n, painter->params->mode == EVS_VIEW_MODE_ACCUMULATE
                         && !painter->counts_only);
}

/* Colours the pixels of a band that have events, clearing @tile. */
static void
paint_sparse (const Painter *painter,
              FrameBlock    *block,
              gsize          first,
              const guint64 *events,
              gsize          n,
              Tile          *tile)
{
  for (gsize k = 0; k < n; k++)
    {
      guint32 i = (guint32) events[k] >> 1;
      gsize px = first + i;

      if ((tile->n[0][i] | tile->n[1][i]) == 0)
        continue; /* painted already */
      block->pixels[px] = paint_cell (painter, tile, i);
      block->counts[px] = cell_count (tile->n[0][i], tile->n[1][i]);
      block->last_t[px] = MAX (tile->last[0][i], tile->last[1][i]);
      frame_block_add_dirty (block, (guint32) px);
      for (guint p = 0; p < 2; p++)
        {
          tile->last[p][i] = 0;
          tile->n[p][i] = 0;
          tile->w[p][i] = 0;
        }
    }
}

/**
 * evs_renderer_finish:
 *
 * Colours the state band by band.  The state is left as is (more events
 * may be added; evs_renderer_reset() clears it).
 *
 * Returns: (transfer full): the frame
 */
EvsFrame *
evs_renderer_finish (EvsRenderer *self)
{
  static const PixelState empty = { { 0, 0 }, { 0, 0 } };
  const EvsRenderParams *params;
  EvsFrame *frame;
  FrameBlock *block;
  gsize stride, n_pixels;
  guint32 bg;
  Painter painter;

  g_return_val_if_fail (self != NULL, NULL);

  params = &self->params;
  n_pixels = (gsize) self->width * self->height;
  stride = (gsize) self->width * 4;

  painter.params = params;
  painter.shade.c = params->contrast;
  rgb_of (EVS_RENDER_BACKGROUND_COLOR, painter.shade.bg);
  rgb_of (EVS_RENDER_ON_COLOR, painter.shade.on);
  rgb_of (EVS_RENDER_OFF_COLOR, painter.shade.off);
  painter.shade.lut = get_lut (params->colormap);
  painter.shade.inv_tau = 1.0 / params->tau_us;
  painter.counts_only = params->mode == EVS_VIEW_MODE_ACCUMULATE && params->decay == EVS_DECAY_NONE;
  /* Without decay the weights are event counts: small ones are looked up. */
  if (painter.counts_only)
    for (guint on = 0; on < SMALL_COUNTS; on++)
      for (guint off = 0; off < SMALL_COUNTS; off++)
        {
          PixelState st = { { 0, 0 }, { (float) off, (float) on } };

          painter.small[on][off] = shade_pixel (params, &painter.shade, &st);
        }
  prepare_weights (self);
  prepare_surface (self, painter.shade.lut);
  painter.surface = self->surface_lut;
  painter.merged = params->split_polarity ? NULL : self->color_lut;
  painter.scratch = self->scratch;
  painter.touched = self->touched;

  bg = shade_pixel (params, &painter.shade, &empty);
  painter.background = bg;
  block = frame_pool_acquire (self->pool, bg);

  for (guint b = 0; b < self->n_bands; b++)
    {
      Band *band = &self->bands[b];
      gsize first = (gsize) b * self->band_pixels;
      gsize n = (gsize) band_rows (self, b) * self->width;

      if (band->folded != NULL && band->folded->used)
        {
          /* Kept: the state stays as is. */
          if (band->len > 0)
            fold_band (self, band);
          paint_dense (&painter, block, first, n, &band->folded->tile, NULL, 0, FALSE);
          block->unclean[b] = TRUE;
        }
      else if (band->len > n / 32)
        {
          accumulate (self, &self->tile, band->events, band->len);
          paint_dense (&painter, block, first, n, &self->tile, band->events, band->len, TRUE);
          block->unclean[b] = TRUE;
        }
      else
        {
          if (block->unclean[b])
            {
              for (gsize i = 0; i < n; i++)
                block->pixels[first + i] = bg;
              memset (block->counts + first, 0, n * sizeof (guint16));
              memset (block->last_t + first, 0, n * sizeof (gint32));
              block->unclean[b] = FALSE;
            }
          accumulate (self, &self->tile, band->events, band->len);
          paint_sparse (&painter, block, first, band->events, band->len, &self->tile);
        }
    }

  frame = g_new0 (EvsFrame, 1);
  g_atomic_ref_count_init (&frame->ref_count);
  frame->width = self->width;
  frame->height = self->height;
  frame->stride = stride;
  frame->pixels = g_bytes_new_with_free_func (block->pixels, MAX (n_pixels, 1) * 4,
                                              frame_block_release, block);
  frame->counts = block->counts;
  frame->last_t = block->last_t;
  frame->t_start = self->t_start;
  frame->t_end = params->t_end;
  frame->n_events = self->n_events;
  frame->params = *params;

  return frame;
}

/**
 * evs_render_events:
 *
 * Renders the events of @events that fall in the window of @params.
 *
 * Returns: (transfer full): the frame
 */
EvsFrame *
evs_render_events (guint                  width,
                   guint                  height,
                   const EvsRenderParams *params,
                   const EvsEventChunk   *events)
{
  g_autoptr(EvsRenderer) renderer = evs_renderer_new (width, height, params);

  if (events != NULL)
    evs_renderer_add (renderer, events);
  return evs_renderer_finish (renderer);
}

/**
 * evs_renderer_render_window:
 *
 * Resets @self for @params, seeks @reader to the window start and streams
 * the window's events through it: memory is O(chunk + pixels) whatever the
 * window length, and nothing is allocated per frame but the frame.
 *
 * Returns: (transfer full): the frame, or %NULL on error or cancellation
 */
EvsFrame *
evs_renderer_render_window (EvsRenderer            *self,
                            EvsReader              *reader,
                            EvsEventChunk          *chunk,
                            const EvsRenderParams  *params,
                            GCancellable           *cancellable,
                            GError                **error)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (EVS_IS_READER (reader), NULL);
  g_return_val_if_fail (chunk != NULL, NULL);
  g_return_val_if_fail (params != NULL, NULL);

  evs_renderer_reset (self, params);
  if (!evs_reader_seek (reader, self->t_start, error))
    return NULL;

  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (!evs_reader_read (reader, chunk, error))
        return NULL;
      if (chunk->n_events == 0)
        break;
      evs_renderer_add (self, chunk);
      if (chunk->t[chunk->n_events - 1] >= self->params.t_end)
        break;
    }

  return evs_renderer_finish (self);
}

/**
 * evs_render_window:
 *
 * evs_renderer_render_window() with a renderer of its own.
 *
 * Returns: (transfer full): the frame, or %NULL on error or cancellation
 */
EvsFrame *
evs_render_window (EvsReader              *reader,
                   guint                   width,
                   guint                   height,
                   const EvsRenderParams  *params,
                   GCancellable           *cancellable,
                   GError                **error)
{
  g_autoptr(EvsRenderer) renderer = NULL;
  g_autoptr(EvsEventChunk) chunk = NULL;

  g_return_val_if_fail (EVS_IS_READER (reader), NULL);
  g_return_val_if_fail (params != NULL, NULL);

  renderer = evs_renderer_new (width, height, params);
  chunk = evs_event_chunk_new (EVS_CHUNK_DEFAULT_CAPACITY);

  return evs_renderer_render_window (renderer, reader, chunk, params, cancellable, error);
}

/**
 * evs_render_find_count_window:
 * @index: the recording's index
 * @n_events: how many events the window holds (at most
 *   %EVS_RENDER_MAX_WINDOW_EVENTS)
 * @chunk: a chunk to decode into
 * @t_start: (out): the time of the @n_events-th event before @t_end, or of
 *   the first event when there are fewer
 *
 * Resolves an event-count window to a time window: the index says which
 * chunk to start from, then the events up to @t_end are decoded keeping
 * the last @n_events timestamps in a ring.  Cost O(@n_events + one chunk).
 * With ties on the start timestamp the time window holds a few more
 * events than asked.
 */
gboolean
evs_render_find_count_window (EvsReader      *reader,
                              EvsIndex       *index,
                              gint64          t_end,
                              guint64         n_events,
                              EvsEventChunk  *chunk,
                              GCancellable   *cancellable,
                              gint64         *t_start,
                              GError        **error)
{
  const EvsIndexEntry *entries;
  guint n_entries = 0, first;
  guint64 sum = 0;
  g_autofree gint64 *ring = NULL;
  guint64 n_seen = 0;
  gboolean done = FALSE;

  g_return_val_if_fail (EVS_IS_READER (reader), FALSE);
  g_return_val_if_fail (index != NULL, FALSE);
  g_return_val_if_fail (t_start != NULL, FALSE);

  n_events = CLAMP (n_events, 1, EVS_RENDER_MAX_WINDOW_EVENTS);
  entries = evs_index_get_entries (index, &n_entries);
  *t_start = t_end;
  if (n_entries == 0)
    return TRUE;

  /* The last entry starting before t_end, then back until it holds enough */
  first = n_entries;
  while (first > 0 && entries[first - 1].t_first >= t_end)
    first--;
  while (first > 0 && sum < n_events)
    sum += entries[--first].n_events;

  if (!evs_reader_seek (reader, entries[first].t_first, error))
    return FALSE;

  ring = g_new (gint64, n_events);
  while (!done)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (!evs_reader_read (reader, chunk, error))
        return FALSE;
      if (chunk->n_events == 0)
        break;
      for (gsize i = 0; i < chunk->n_events; i++)
        {
          if (chunk->t[i] >= t_end)
            {
              done = TRUE;
              break;
            }
          ring[n_seen % n_events] = chunk->t[i];
          n_seen++;
        }
    }

  if (n_seen > 0)
    *t_start = n_seen >= n_events ? ring[n_seen % n_events] : ring[0];

  return TRUE;
}
