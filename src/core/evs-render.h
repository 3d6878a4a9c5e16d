/* evs-render.h
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

#pragma once

#include <cairo.h>
#include <gio/gio.h>

#include "evs-events.h"
#include "evs-index.h"
#include "evs-reader.h"

G_BEGIN_DECLS

/**
 * EvsViewMode:
 * @EVS_VIEW_MODE_ACCUMULATE: events accumulated over the window
 * @EVS_VIEW_MODE_TIME_SURFACE: exponential time surface at the window end
 */
typedef enum
{
  EVS_VIEW_MODE_ACCUMULATE,
  EVS_VIEW_MODE_TIME_SURFACE,
} EvsViewMode;

/**
 * EvsAccumulateStyle:
 * @EVS_ACCUMULATE_STYLE_ON_OFF: ON and OFF colours on a black background:
 *   the hue is the weighted mix of the two colours, the intensity the total
 *   weight × contrast (saturating at 1)
 * @EVS_ACCUMULATE_STYLE_SIGNED_GREY: mid grey, brighter for ON, darker for OFF
 */
typedef enum
{
  EVS_ACCUMULATE_STYLE_ON_OFF,
  EVS_ACCUMULATE_STYLE_SIGNED_GREY,
} EvsAccumulateStyle;

/**
 * EvsDecay:
 * @EVS_DECAY_NONE: every event in the window weighs 1
 * @EVS_DECAY_LINEAR: weight 1 − age / window
 * @EVS_DECAY_EXPONENTIAL: weight exp(−age / τ)
 *
 * The age of an event is `t_end − t`, in µs.
 */
typedef enum
{
  EVS_DECAY_NONE,
  EVS_DECAY_LINEAR,
  EVS_DECAY_EXPONENTIAL,
} EvsDecay;

typedef enum
{
  EVS_COLORMAP_VIRIDIS,
  EVS_COLORMAP_INFERNO,
  EVS_COLORMAP_GREY,
} EvsColormap;

#define EVS_TYPE_VIEW_MODE         (evs_view_mode_get_type ())
#define EVS_TYPE_ACCUMULATE_STYLE  (evs_accumulate_style_get_type ())
#define EVS_TYPE_DECAY             (evs_decay_get_type ())
#define EVS_TYPE_COLORMAP          (evs_colormap_get_type ())

GType evs_view_mode_get_type        (void) G_GNUC_CONST;
GType evs_accumulate_style_get_type (void) G_GNUC_CONST;
GType evs_decay_get_type            (void) G_GNUC_CONST;
GType evs_colormap_get_type         (void) G_GNUC_CONST;

/* Colours of the ON/OFF accumulation, as 0xRRGGBB. */
#define EVS_RENDER_ON_COLOR         0xffc83c
#define EVS_RENDER_OFF_COLOR        0x3c8cff
#define EVS_RENDER_BACKGROUND_COLOR 0x000000

/**
 * EvsRenderParams:
 * @mode: what to draw
 * @t_end: end of the window (exclusive), µs in the recording's time base
 * @window_us: length of the window; events in [@t_end − @window_us, @t_end)
 * @window_events: when not 0, the window is instead the last @window_events
 *   events before @t_end (EvsLoader resolves it to a time window)
 * @style: accumulation colours
 * @decay: accumulation weighting
 * @contrast: accumulation gain: a pixel saturates at a weight of 1 / @contrast
 * @tau_us: time constant of the exponential decay and of the time surface
 * @split_polarity: time surface per polarity (ON − OFF) instead of merged
 * @colormap: time-surface colormap
 *
 * Plain data, copied into render jobs.
 */
typedef struct
{
  EvsViewMode        mode;
  gint64             t_end;
  gint64             window_us;
  guint64            window_events;
  EvsAccumulateStyle style;
  EvsDecay           decay;
  double             contrast;
  double             tau_us;
  gboolean           split_polarity;
  EvsColormap        colormap;
} EvsRenderParams;

void evs_render_params_init (EvsRenderParams *params);

/* Largest event-count window (its timestamps are buffered: 8 bytes each) */
#define EVS_RENDER_MAX_WINDOW_EVENTS (10 * 1000 * 1000)

gboolean evs_render_find_count_window (EvsReader      *reader,
                                       EvsIndex       *index,
                                       gint64          t_end,
                                       guint64         n_events,
                                       EvsEventChunk  *chunk,
                                       GCancellable   *cancellable,
                                       gint64         *t_start,
                                       GError        **error);

#define EVS_TYPE_FRAME (evs_frame_get_type ())

/**
 * EvsFrame:
 * @width: sensor width in pixels
 * @height: sensor height in pixels
 * @stride: bytes per row of @pixels
 * @pixels: premultiplied ARGB32 in native byte order (cairo's
 *   %CAIRO_FORMAT_ARGB32, GDK's %GDK_MEMORY_DEFAULT)
 * @counts: events per pixel in the window (saturating at 65535)
 * @last_t: per pixel, the last event's time relative to @t_start plus one,
 *   or 0 when the pixel has no event (use evs_frame_lookup())
 * @t_start: start of the window (inclusive)
 * @t_end: end of the window (exclusive)
 * @n_events: events drawn (inside the window and the sensor)
 * @params: the parameters it was rendered with
 *
 * An immutable rendered frame, with the per-pixel state the pixel
 * inspector shows.  Memory is O(pixels).
 */
typedef struct
{
  guint           width;
  guint           height;
  gsize           stride;
  GBytes         *pixels;
  guint16        *counts;
  gint32         *last_t;
  gint64          t_start;
  gint64          t_end;
  guint64         n_events;
  EvsRenderParams params;
  /*< private >*/
  gatomicrefcount ref_count;
} EvsFrame;

GType     evs_frame_get_type         (void) G_GNUC_CONST;
EvsFrame *evs_frame_ref              (EvsFrame        *frame);
void      evs_frame_unref            (EvsFrame        *frame);
gboolean  evs_frame_lookup           (const EvsFrame  *frame,
                                      guint            x,
                                      guint            y,
                                      guint           *count,
                                      gint64          *last_t);
guint32   evs_frame_get_pixel        (const EvsFrame  *frame,
                                      guint            x,
                                      guint            y);
gsize     evs_frame_count_non_background (const EvsFrame *frame);
cairo_surface_t *evs_frame_create_surface (EvsFrame *frame);
gboolean  evs_frame_save_png         (EvsFrame        *frame,
                                      const char      *path,
                                      GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsFrame, evs_frame_unref)

typedef struct _EvsRenderer EvsRenderer;

EvsRenderer *evs_renderer_new    (guint                   width,
                                  guint                   height,
                                  const EvsRenderParams  *params);
void         evs_renderer_free   (EvsRenderer            *self);
void         evs_renderer_reset  (EvsRenderer            *self,
                                  const EvsRenderParams  *params);
guint        evs_renderer_get_width  (EvsRenderer        *self);
guint        evs_renderer_get_height (EvsRenderer        *self);
void         evs_renderer_add    (EvsRenderer            *self,
                                  const EvsEventChunk    *chunk);
EvsFrame    *evs_renderer_finish (EvsRenderer            *self);

EvsFrame    *evs_renderer_render_window (EvsRenderer            *self,
                                         EvsReader              *reader,
                                         EvsEventChunk          *chunk,
                                         const EvsRenderParams  *params,
                                         GCancellable           *cancellable,
                                         GError                **error);
EvsFrame    *evs_render_events   (guint                   width,
                                  guint                   height,
                                  const EvsRenderParams  *params,
                                  const EvsEventChunk    *events);
EvsFrame    *evs_render_window   (EvsReader              *reader,
                                  guint                   width,
                                  guint                   height,
                                  const EvsRenderParams  *params,
                                  GCancellable           *cancellable,
                                  GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EvsRenderer, evs_renderer_free)

G_END_DECLS
