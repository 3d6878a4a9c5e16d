/* evs-pipeline.c
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

#define G_LOG_DOMAIN "evs-pipeline"

#include "config.h"

#include "evs-pipeline.h"
#include "evs-pipeline-private.h"
#include "evs-filter-private.h"
#include "evs-error.h"
#include "evs-filters.h"
#include "evs-simd-private.h"

#include <string.h>

#if defined (__SSE2__)
#include <emmintrin.h>
#endif

/*
 * An ordered list of filters (a GListModel the GUI binds to).  Each enabled
 * filter sees only the events the stages before it kept; per-stage counts
 * (in/out, ON and OFF) accumulate until reset.
 *
 * A pipeline is used by one thread at a time: the GUI edits its own and
 * hands evs_pipeline_copy() snapshots to workers.
 */

struct _EvsPipeline
{
  GObject        parent_instance;
  GPtrArray     *filters;   /* EvsFilter */
  GArray        *stats;     /* EvsStageStats, parallel to filters */
  guint          width;
  guint          height;

  /* scratch */
  guint8        *keep;
  gsize          keep_size;
  EvsEventChunk *work;
  guint32       *index;
  gsize          index_size;
};

enum {
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (EvsPipeline, evs_pipeline, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

static GType
evs_pipeline_get_item_type (GListModel *model)
{
  return EVS_TYPE_FILTER;
}

static guint
evs_pipeline_get_n_items (GListModel *model)
{
  return EVS_PIPELINE (model)->filters->len;
}

static gpointer
evs_pipeline_get_item (GListModel *model,
                       guint       position)
{
  EvsPipeline *self = EVS_PIPELINE (model);

  if (position >= self->filters->len)
    return NULL;
  return g_object_ref (g_ptr_array_index (self->filters, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = evs_pipeline_get_item_type;
  iface->get_n_items = evs_pipeline_get_n_items;
  iface->get_item = evs_pipeline_get_item;
}

static void
filter_notify_cb (EvsPipeline *self,
                  GParamSpec  *pspec,
                  EvsFilter   *filter)
{
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
disconnect_filter (gpointer data,
                   gpointer user_data)
{
  g_signal_handlers_disconnect_by_func (data, filter_notify_cb, user_data);
}

static void
evs_pipeline_dispose (GObject *object)
{
  EvsPipeline *self = (EvsPipeline *) object;

  if (self->filters != NULL)
    {
      g_ptr_array_foreach (self->filters, disconnect_filter, self);
      g_ptr_array_set_size (self->filters, 0);
    }

  G_OBJECT_CLASS (evs_pipeline_parent_class)->dispose (object);
}

static void
evs_pipeline_finalize (GObject *object)
{
  EvsPipeline *self = (EvsPipeline *) object;

  g_clear_pointer (&self->filters, g_ptr_array_unref);
  g_clear_pointer (&self->stats, g_array_unref);
  g_clear_pointer (&self->keep, g_free);
  g_clear_pointer (&self->index, g_free);
  g_clear_pointer (&self->work, evs_event_chunk_unref);

  G_OBJECT_CLASS (evs_pipeline_parent_class)->finalize (object);
}

static void
evs_pipeline_class_init (EvsPipelineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = evs_pipeline_dispose;
  object_class->finalize = evs_pipeline_finalize;

  /**
   * EvsPipeline::changed:
   *
   * A filter was added, removed, moved, or one of its parameters changed.
   */
  signals[CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                  NULL, G_TYPE_NONE, 0);
}

static void
evs_pipeline_init (EvsPipeline *self)
{
  self->filters = g_ptr_array_new_with_free_func (g_object_unref);
  self->stats = g_array_new (FALSE, TRUE, sizeof (EvsStageStats));
}

EvsPipeline *
evs_pipeline_new (void)
{
  return g_object_new (EVS_TYPE_PIPELINE, NULL);
}

/**
 * evs_pipeline_copy:
 *
 * Returns: (transfer full): a deep copy (new filters with the same
 *   parameters and learnt masks, fresh stream state and statistics)
 */
EvsPipeline *
evs_pipeline_copy (EvsPipeline *self)
{
  EvsPipeline *copy;

  g_return_val_if_fail (EVS_IS_PIPELINE (self), NULL);

  copy = evs_pipeline_new ();
  copy->width = self->width;
  copy->height = self->height;
  for (guint i = 0; i < self->filters->len; i++)
    {
      g_autoptr(EvsFilter) f = evs_filter_copy (g_ptr_array_index (self->filters, i));

      evs_pipeline_append (copy, f);
    }
  return copy;
}

guint
evs_pipeline_get_n_filters (EvsPipeline *self)
{
  g_return_val_if_fail (EVS_IS_PIPELINE (self), 0);

  return self->filters->len;
}

/**
 * evs_pipeline_get_filter:
 *
 * Returns: (transfer none) (nullable): the filter at @position
 */
EvsFilter *
evs_pipeline_get_filter (EvsPipeline *self,
                         guint        position)
{
  g_return_val_if_fail (EVS_IS_PIPELINE (self), NULL);

  if (position >= self->filters->len)
    return NULL;
  return g_ptr_array_index (self->filters, position);
}

/**
 * evs_pipeline_insert:
 *
 * Inserts @filter (a reference is taken) before @position (clamped to the
 * end).  Returns %FALSE when the pipeline is full.
 */
gboolean
evs_pipeline_insert (EvsPipeline *self,
                     guint        position,
                     EvsFilter   *filter)
{
  EvsStageStats zero = { 0 };

  g_return_val_if_fail (EVS_IS_PIPELINE (self), FALSE);
  g_return_val_if_fail (EVS_IS_FILTER (filter), FALSE);

  if (self->filters->len >= EVS_PIPELINE_MAX_FILTERS)
    return FALSE;

  position = MIN (position, self->filters->len);
  if (self->width > 0 && self->height > 0)
    evs_filter_set_geometry (filter, self->width, self->height);
  g_ptr_array_insert (self->filters, position, g_object_ref (filter));
  g_array_insert_val (self->stats, position, zero);
  g_signal_connect_object (filter, "notify", G_CALLBACK (filter_notify_cb), self,
                           G_CONNECT_SWAPPED);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 0, 1);
  g_signal_emit (self, signals[CHANGED], 0);
  return TRUE;
}

gboolean
evs_pipeline_append (EvsPipeline *self,
                     EvsFilter   *filter)
{
  g_return_val_if_fail (EVS_IS_PIPELINE (self), FALSE);

  return evs_pipeline_insert (self, self->filters->len, filter);
}

void
evs_pipeline_remove (EvsPipeline *self,
                     guint        position)
{
  g_return_if_fail (EVS_IS_PIPELINE (self));
  g_return_if_fail (position < self->filters->len);

  disconnect_filter (g_ptr_array_index (self->filters, position), self);
  g_ptr_array_remove_index (self->filters, position);
  g_array_remove_index (self->stats, position);
  g_list_model_items_changed (G_LIST_MODEL (self), position, 1, 0);
  g_signal_emit (self, signals[CHANGED], 0);
}

/**
 * evs_pipeline_move:
 *
 * Moves the filter at @from so that it ends up at @to.
 */
void
evs_pipeline_move (EvsPipeline *self,
                   guint        from,
                   guint        to)
{
  EvsFilter *filter;
  EvsStageStats st;

  g_return_if_fail (EVS_IS_PIPELINE (self));
  g_return_if_fail (from < self->filters->len && to < self->filters->len);

  if (from == to)
    return;

  filter = g_ptr_array_steal_index (self->filters, from);
  st = g_array_index (self->stats, EvsStageStats, from);
  g_array_remove_index (self->stats, from);
  g_ptr_array_insert (self->filters, to, filter);
  g_array_insert_val (self->stats, to, st);
  g_list_model_items_changed (G_LIST_MODEL (self), MIN (from, to), MAX (from, to) - MIN (from, to) + 1,
                              MAX (from, to) - MIN (from, to) + 1);
  g_signal_emit (self, signals[CHANGED], 0);
}

void
evs_pipeline_set_geometry (EvsPipeline *self,
                           guint        width,
                           guint        height)
{
  g_return_if_fail (EVS_IS_PIPELINE (self));

  self->width = width;
  self->height = height;
  for (guint i = 0; i < self->filters->len; i++)
    evs_filter_set_geometry (g_ptr_array_index (self->filters, i), width, height);
}

void
evs_pipeline_reset_stats (EvsPipeline *self)
{
  g_return_if_fail (EVS_IS_PIPELINE (self));

  if (self->stats->len > 0)
    memset (self->stats->data, 0, self->stats->len * sizeof (EvsStageStats));
}

/**
 * evs_pipeline_reset:
 *
 * Starts a new stream: resets every filter's state and the statistics.
 * Learnt hot-pixel masks (from a first pass) are kept.
 */
void
evs_pipeline_reset (EvsPipeline *self)
{
  g_return_if_fail (EVS_IS_PIPELINE (self));

  for (guint i = 0; i < self->filters->len; i++)
    evs_filter_reset (g_ptr_array_index (self->filters, i));
  evs_pipeline_reset_stats (self);
}

void
evs_pipeline_get_stage_stats (EvsPipeline   *self,
                              guint          position,
                              EvsStageStats *stats)
{
  g_return_if_fail (EVS_IS_PIPELINE (self));
  g_return_if_fail (position < self->filters->len);

  *stats = g_array_index (self->stats, EvsStageStats, position);
}

/**
 * evs_pipeline_dup_stats_table:
 *
 * Returns: (transfer full): a text table, one line per stage, of the events
 *   in and out (all, ON and OFF) since the last reset, and the share kept;
 *   disabled stages are marked
 */
char *
evs_pipeline_dup_stats_table (EvsPipeline *self)
{
  GString *s = g_string_new (NULL);

  g_return_val_if_fail (EVS_IS_PIPELINE (self), NULL);

  g_string_append_printf (s, "%-3s %-20s %12s %12s %12s %12s %12s %12s %8s\n", "#", "stage",
                          "in", "in ON", "in OFF", "out", "out ON", "out OFF", "kept %");
  for (guint i = 0; i < self->filters->len; i++)
    {
      EvsFilter *f = g_ptr_array_index (self->filters, i);
      const EvsStageStats *st = &g_array_index (self->stats, EvsStageStats, i);

      g_string_append_printf (s, "%-3u %-20s %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT
                              " %12" G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT " %12"
                              G_GUINT64_FORMAT " %12" G_GUINT64_FORMAT " %8.2f%s\n",
                              i, evs_filter_get_type_name (f), st->in, st->in_on,
                              st->in - st->in_on, st->out, st->out_on, st->out - st->out_on,
                              st->in > 0 ? 100.0 * st->out / st->in : 100.0,
                              evs_filter_get_enabled (f) ? "" : "  (disabled)");
    }
  return g_string_free (s, FALSE);
}

static guint8 *
ensure_keep (EvsPipeline *self,
             gsize        n)
{
  if (self->keep_size < n)
    {
      g_free (self->keep);
      self->keep_size = MAX (n, 4096);
      self->keep = g_malloc (self->keep_size);
    }
  return self->keep;
}

/* Byte sums of 16 bytes at a time (psadbw), the tail byte by byte */
static guint64
count_on (const guint8 *p,
          gsize         n)
{
  guint64 on = 0;
  gsize i = 0;

#if defined (__SSE2__)
  const __m128i one = _mm_set1_epi8 (1);
  __m128i acc = _mm_setzero_si128 ();

  for (; i + 16 <= n; i += 16)
    {
      __m128i v = _mm_and_si128 (_mm_loadu_si128 ((const __m128i *) (gconstpointer) (p + i)), one);

      acc = _mm_add_epi64 (acc, _mm_sad_epu8 (v, _mm_setzero_si128 ()));
    }
  on = (guint64) _mm_cvtsi128_si64 (acc) + (guint64) _mm_cvtsi128_si64 (_mm_unpackhi_epi64 (acc, acc));
#endif
  for (; i < n; i++)
    on += p[i] & 1;
  return on;
}

#if defined (__x86_64__) && defined (__GNUC__)
#define HAVE_COMPACT_AVX512 1
#include <immintrin.h>

#define COMPACT_AVX512_TARGET "avx512f,avx512vl,avx512bw,avx512vbmi2,popcnt"

/* Compacts blocks of 32 events from *@i to *@j with vpcompress{q,w,b}.
 * Each block is loaded whole before its stores, which end at most at the
 * block's own end (j ≤ i), so full-width stores are safe in place. */
__attribute__ ((target (COMPACT_AVX512_TARGET))) static void
compact_avx512 (gint64        *t,
                guint16       *x,
                guint16       *y,
                guint8        *p,
                const guint8  *keep,
                gsize         *i_inout,
                gsize         *j_inout,
                gsize          n,
                guint64       *on_inout)
{
  gsize i = *i_inout, j = *j_inout;
  guint64 on = *on_inout;

  for (; i + 32 <= n; i += 32)
    {
      __mmask32 k = _mm256_test_epi8_mask (_mm256_loadu_si256 ((const __m256i *) (keep + i)),
                                           _mm256_set1_epi8 (-1));
      __m512i t0 = _mm512_loadu_si512 (t + i);
      __m512i t1 = _mm512_loadu_si512 (t + i + 8);
      __m512i t2 = _mm512_loadu_si512 (t + i + 16);
      __m512i t3 = _mm512_loadu_si512 (t + i + 24);
      __m512i vx = _mm512_loadu_si512 (x + i);
      __m512i vy = _mm512_loadu_si512 (y + i);
      __m256i vp = _mm256_loadu_si256 ((const __m256i *) (p + i));
      gsize o = j;

      on += (guint64) _mm_popcnt_u32 (_mm256_mask_test_epi8_mask (k, vp, _mm256_set1_epi8 (1)));
      _mm512_storeu_si512 (t + o, _mm512_maskz_compress_epi64 ((__mmask8) k, t0));
      o += (gsize) _mm_popcnt_u32 (k & 0xFF);
      _mm512_storeu_si512 (t + o, _mm512_maskz_compress_epi64 ((__mmask8) (k >> 8), t1));
      o += (gsize) _mm_popcnt_u32 ((k >> 8) & 0xFF);
      _mm512_storeu_si512 (t + o, _mm512_maskz_compress_epi64 ((__mmask8) (k >> 16), t2));
      o += (gsize) _mm_popcnt_u32 ((k >> 16) & 0xFF);
      _mm512_storeu_si512 (t + o, _mm512_maskz_compress_epi64 ((__mmask8) (k >> 24), t3));
      _mm512_storeu_si512 (x + j, _mm512_maskz_compress_epi16 (k, vx));
      _mm512_storeu_si512 (y + j, _mm512_maskz_compress_epi16 (k, vy));
      _mm256_storeu_si256 ((__m256i *) (p + j), _mm256_maskz_compress_epi8 (k, vp));
      j += (gsize) _mm_popcnt_u32 (k);
    }
  *i_inout = i;
  *j_inout = j;
  *on_inout = on;
}
#endif

/* Compacts @chunk by @keep (and @index alongside when not NULL), counting
 * what is kept.  When @removed_by is given, marks the dropped originals.
 * @in_on is the number of ON events before. */
static void
compact (EvsEventChunk *chunk,
         const guint8  *keep,
         guint32       *index,
         guint8        *removed_by,
         guint8         stage,
         guint64        in_on,
         guint64       *out_on)
{
  gsize n = chunk->n_events;
  const guint8 *first_drop = memchr (keep, 0, n);
  gint64 *restrict t = chunk->t;
  guint16 *restrict x = chunk->x;
  guint16 *restrict y = chunk->y;
  guint8 *restrict p = chunk->p;
  gsize j;
  guint64 on;

  if (first_drop == NULL)
    {
      *out_on = in_on;
      return;
    }

  j = first_drop - keep;
  on = count_on (p, j);

  if (index == NULL)
    {
      const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
      gsize i = j;

#ifdef HAVE_COMPACT_AVX512
      if (_evs_simd_level () == EVS_SIMD_AVX512)
        compact_avx512 (t, x, y, p, keep, &i, &j, n, &on);
#endif

      /* Blocks of 8 events all kept (most of them: filters drop few
       * events, or whole regions) move as whole blocks; the others are
       * compacted branchlessly: write every event, advance only over the
       * kept ones. */
      for (; i + 8 <= n; i += 8)
        {
          guint64 k8, p8;

          memcpy (&k8, keep + i, 8);
          if (((k8 - ones) & ~k8 & (ones << 7)) == 0)
            {
              /* no zero byte; j < i, so load before storing (inlined
               * copies, unlike memmove) */
              gint64 tb[8];
              guint16 xb[8], yb[8];

              memcpy (tb, t + i, sizeof tb);
              memcpy (xb, x + i, sizeof xb);
              memcpy (yb, y + i, sizeof yb);
              memcpy (&p8, p + i, 8);
              memcpy (t + j, tb, sizeof tb);
              memcpy (x + j, xb, sizeof xb);
              memcpy (y + j, yb, sizeof yb);
              memcpy (p + j, &p8, 8);
              on += ((p8 & ones) * ones) >> 56;
              j += 8;
              continue;
            }
          for (gsize b = i; b < i + 8; b++)
            {
              guint8 k = keep[b] != 0;

              t[j] = t[b];
              x[j] = x[b];
              y[j] = y[b];
              p[j] = p[b];
              on += p[b] & k;
              j += k;
            }
        }
      for (; i < n; i++)
        {
          guint8 k = keep[i] != 0;

          t[j] = t[i];
          x[j] = x[i];
          y[j] = y[i];
          p[j] = p[i];
          on += p[i] & k;
          j += k;
        }
    }
  else
    {
      for (gsize i = j; i < n; i++)
        {
          if (keep[i])
            {
              t[j] = t[i];
              x[j] = x[i];
              y[j] = y[i];
              p[j] = p[i];
              on += p[i] & 1;
              index[j] = index[i];
              j++;
            }
          else if (removed_by != NULL)
            removed_by[index[i]] = stage;
        }
    }
  chunk->n_events = j;
  *out_on = on;
}

/* The number of kept events in @keep (bytes 0 or 1) and how many of them
 * are ON */
static gsize
count_kept (const guint8 *keep,
            const guint8 *p,
            gsize         n,
            guint64      *on)
{
  guint64 kept = 0, kept_on = 0;
  gsize i = 0;

#if defined (__SSE2__)
  const __m128i one = _mm_set1_epi8 (1);
  __m128i acc_k = _mm_setzero_si128 ();
  __m128i acc_on = _mm_setzero_si128 ();

  for (; i + 16 <= n; i += 16)
    {
      __m128i k = _mm_loadu_si128 ((const __m128i *) (gconstpointer) (keep + i));
      __m128i v = _mm_and_si128 (_mm_loadu_si128 ((const __m128i *) (gconstpointer) (p + i)), one);

      acc_k = _mm_add_epi64 (acc_k, _mm_sad_epu8 (k, _mm_setzero_si128 ()));
      acc_on = _mm_add_epi64 (acc_on, _mm_sad_epu8 (_mm_and_si128 (k, v), _mm_setzero_si128 ()));
    }
  kept = (guint64) _mm_cvtsi128_si64 (acc_k) + (guint64) _mm_cvtsi128_si64 (_mm_unpackhi_epi64 (acc_k, acc_k));
  kept_on = (guint64) _mm_cvtsi128_si64 (acc_on)
            + (guint64) _mm_cvtsi128_si64 (_mm_unpackhi_epi64 (acc_on, acc_on));
#endif
  for (; i < n; i++)
    {
      kept += keep[i];
      kept_on += keep[i] & p[i] & 1;
    }
  *on = kept_on;
  return kept;
}

static gsize
run_stages (EvsPipeline         *self,
            EvsEventChunk       *chunk,
            guint32             *index,
            guint8              *removed_by,
            const EvsChunkFacts *facts)
{
  guint8 *keep = NULL;
  gboolean masked = FALSE;    /* @keep marks the events still in */
  gsize n_in;
  guint64 on;

  if (self->filters->len == 0 || chunk->n_events == 0)
    return chunk->n_events;

  n_in = chunk->n_events;
  on = count_on (chunk->p, chunk->n_events);
  for (guint s = 0; s < self->filters->len; s++)
    {
      EvsFilter *filter = g_ptr_array_index (self->filters, s);
      EvsStageStats *st = &g_array_index (self->stats, EvsStageStats, s);
      guint64 out_on;
      gboolean refined;

      st->in += n_in;
      st->in_on += on;
      if (!evs_filter_get_enabled (filter) || n_in == 0)
        {
          st->out += n_in;
          st->out_on += on;
          continue;
        }

      /* Without a record of which stage dropped what, consecutive stages
       * that can refine a mask share one: one compaction for them all. */
      if (index == NULL)
        {
          if (!masked)
            {
              keep = ensure_keep (self, chunk->n_events);
              memset (keep, 1, chunk->n_events);
            }
          _evs_filter_set_chunk_facts (filter, facts);
          refined = _evs_filter_refine (filter, chunk, keep);
          _evs_filter_set_chunk_facts (filter, NULL);
          if (refined)
            {
              masked = TRUE;
              n_in = count_kept (keep, chunk->p, chunk->n_events, &out_on);
              st->out += n_in;
              st->out_on += out_on;
              on = out_on;
              continue;
            }
          if (masked)
            {
              compact (chunk, keep, NULL, NULL, 0, on, &out_on);
              masked = FALSE;
            }
        }

      keep = ensure_keep (self, chunk->n_events);
      _evs_filter_set_chunk_facts (filter, facts);
      evs_filter_process (filter, chunk, keep);
      _evs_filter_set_chunk_facts (filter, NULL);
      compact (chunk, keep, index, removed_by, (guint8) (s + 1), on, &out_on);
      n_in = chunk->n_events;
      st->out += n_in;
      st->out_on += out_on;
      on = out_on;
    }
  if (masked)
    {
      guint64 out_on;

      compact (chunk, keep, NULL, NULL, 0, on, &out_on);
    }
  return chunk->n_events;
}

/**
 * evs_pipeline_process:
 *
 * Runs every enabled filter on @chunk, removing the dropped events in place.
 *
 * Returns: the number of events left
 */
gsize
evs_pipeline_process (EvsPipeline   *self,
                      EvsEventChunk *chunk)
{
  g_return_val_if_fail (EVS_IS_PIPELINE (self), 0);
  g_return_val_if_fail (chunk != NULL, 0);

  return run_stages (self, chunk, NULL, NULL, NULL);
}

/*
 * _evs_pipeline_process_with_facts:
 * @facts: (nullable): what the reader learnt of @chunk
 *
 * evs_pipeline_process() for a chunk whose extent and order are already
 * known, so that the filters need not measure it again.
 */
gsize
_evs_pipeline_process_with_facts (EvsPipeline         *self,
                                  EvsEventChunk       *chunk,
                                  const EvsChunkFacts *facts)
{
  g_return_val_if_fail (EVS_IS_PIPELINE (self), 0);
  g_return_val_if_fail (chunk != NULL, 0);

  return run_stages (self, chunk, NULL, NULL, facts);
}

/**
 * evs_pipeline_process_mask:
 * @keep: (out caller-allocates) (nullable): one byte per event, 1 when kept
 * @removed_by: (out caller-allocates) (nullable): one byte per event, 0 when
 *   kept, else 1 + the index of the stage that dropped it
 *
 * Runs the pipeline without changing @chunk (for the GUI's removed-events
 * layer and for evaluations).
 *
 * Returns: the number of events kept
 */
gsize
evs_pipeline_process_mask (EvsPipeline         *self,
                           const EvsEventChunk *chunk,
                           guint8              *keep,
                           guint8              *removed_by)
{
  g_autofree guint8 *own_removed = NULL;
  gsize n = chunk->n_events;
  gsize kept;

  g_return_val_if_fail (EVS_IS_PIPELINE (self), 0);
  g_return_val_if_fail (chunk != NULL, 0);

  if (removed_by == NULL)
    removed_by = own_removed = g_malloc (MAX (n, 1));
  memset (removed_by, 0, n);

  if (self->work == NULL)
    self->work = evs_event_chunk_new (MAX (n, 1));
  evs_event_chunk_clear (self->work);
  evs_event_chunk_append_range (self->work, chunk, 0, n);
  if (self->index_size < n)
    {
      g_free (self->index);
      self->index_size = MAX (n, 4096);
      self->index = g_new (guint32, self->index_size);
    }
  for (gsize i = 0; i < n; i++)
    self->index[i] = i;

  kept = run_stages (self, self->work, self->index, removed_by, NULL);
  if (keep != NULL)
    for (gsize i = 0; i < n; i++)
      keep[i] = removed_by[i] == 0;

  return kept;
}

/**
 * evs_pipeline_needs_first_pass:
 *
 * Returns: %TRUE when an enabled hot-pixel filter waits for
 *   whole-recording counts (see evs_pipeline_learn_counts())
 */
gboolean
evs_pipeline_needs_first_pass (EvsPipeline *self)
{
  g_return_val_if_fail (EVS_IS_PIPELINE (self), FALSE);

  for (guint i = 0; i < self->filters->len; i++)
    {
      EvsFilter *f = g_ptr_array_index (self->filters, i);

      if (EVS_IS_HOT_PIXELS_FILTER (f)
          && evs_hot_pixels_filter_needs_learning (EVS_HOT_PIXELS_FILTER (f)))
        return TRUE;
    }
  return FALSE;
}

/**
 * evs_pipeline_learn_counts:
 *
 * Gives whole-recording per-pixel counts to every hot-pixel filter that
 * waits for them.
 */
void
evs_pipeline_learn_counts (EvsPipeline   *self,
                           const guint32 *counts,
                           guint          width,
                           guint          height,
                           gint64         duration_us)
{
  g_return_if_fail (EVS_IS_PIPELINE (self));

  for (guint i = 0; i < self->filters->len; i++)
    {
      EvsFilter *f = g_ptr_array_index (self->filters, i);

      if (EVS_IS_HOT_PIXELS_FILTER (f)
          && evs_hot_pixels_filter_needs_learning (EVS_HOT_PIXELS_FILTER (f)))
        evs_hot_pixels_filter_learn_counts (EVS_HOT_PIXELS_FILTER (f), counts, width, height,
                                            duration_us);
    }
}

/**
 * evs_pipeline_to_json:
 *
 * Returns: (transfer full): `{ "version": 1, "filters": [ … ] }`
 */
JsonNode *
evs_pipeline_to_json (EvsPipeline *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  g_return_val_if_fail (EVS_IS_PIPELINE (self), NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "filters");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->filters->len; i++)
    json_builder_add_value (builder, evs_filter_to_json (g_ptr_array_index (self->filters, i)));
  json_builder_end_array (builder);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

char *
evs_pipeline_to_string (EvsPipeline *self,
                        gboolean     pretty)
{
  g_autoptr(JsonNode) root = evs_pipeline_to_json (self);
  g_autoptr(JsonGenerator) gen = json_generator_new ();

  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, pretty);
  json_generator_set_indent (gen, 2);
  return json_generator_to_data (gen, NULL);
}

/**
 * evs_pipeline_new_from_json:
 * @base_dir: (nullable): folder for relative file names in the filters
 *
 * Returns: (transfer full): the pipeline, or %NULL with an
 *   %EVS_ERROR_INVALID_ARGUMENT error naming the filter and key
 */
EvsPipeline *
evs_pipeline_new_from_json (JsonNode    *node,
                            const char  *base_dir,
                            GError     **error)
{
  g_autoptr(EvsPipeline) self = NULL;
  g_autoptr(GList) members = NULL;
  JsonObject *obj;
  JsonNode *version, *filters;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "A pipeline must be a JSON object with “version” and “filters”");
      return NULL;
    }
  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  for (GList *l = members; l != NULL; l = l->next)
    {
      if (!g_str_equal (l->data, "version") && !g_str_equal (l->data, "filters"))
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "pipeline: unknown key “%s”", (const char *) l->data);
          return NULL;
        }
    }
  version = json_object_get_member (obj, "version");
  if (version == NULL || !JSON_NODE_HOLDS_VALUE (version)
      || json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != 1)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "pipeline: key “version” must be 1");
      return NULL;
    }
  filters = json_object_get_member (obj, "filters");
  if (filters == NULL || !JSON_NODE_HOLDS_ARRAY (filters))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "pipeline: key “filters” must be an array");
      return NULL;
    }
  array = json_node_get_array (filters);
  if (json_array_get_length (array) > EVS_PIPELINE_MAX_FILTERS)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "pipeline: more than %d filters", EVS_PIPELINE_MAX_FILTERS);
      return NULL;
    }

  self = evs_pipeline_new ();
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_autoptr(EvsFilter) filter =
        evs_filter_new_from_json (json_array_get_element (array, i), i, base_dir, error);

      if (filter == NULL)
        return NULL;
      evs_pipeline_append (self, filter);
    }

  return g_steal_pointer (&self);
}

EvsPipeline *
evs_pipeline_new_from_string (const char  *json,
                              const char  *base_dir,
                              GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, &local_error))
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "The pipeline is not valid JSON: %s", local_error->message);
      return NULL;
    }
  return evs_pipeline_new_from_json (json_parser_get_root (parser), base_dir, error);
}

/**
 * evs_pipeline_new_from_file:
 *
 * Loads a pipeline; relative mask file names are resolved against the
 * file's folder.
 */
EvsPipeline *
evs_pipeline_new_from_file (const char  *path,
                            GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(GError) local_error = NULL;
  EvsPipeline *self;
  gsize len;

  g_return_val_if_fail (path != NULL, NULL);

  if (!g_file_get_contents (path, &contents, &len, error))
    return NULL;
  if (len > 16 * 1024 * 1024 || memchr (contents, '\0', len) != NULL)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "“%s” is not a pipeline JSON file", path);
      return NULL;
    }
  dir = g_path_get_dirname (path);
  self = evs_pipeline_new_from_string (contents, dir, &local_error);
  if (self == NULL)
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT, "%s: %s", path,
                   local_error->message);
      return NULL;
    }
  return self;
}

gboolean
evs_pipeline_save_to_file (EvsPipeline  *self,
                           const char   *path,
                           GError      **error)
{
  g_autofree char *text = NULL;
  g_autofree char *with_nl = NULL;

  g_return_val_if_fail (EVS_IS_PIPELINE (self), FALSE);

  text = evs_pipeline_to_string (self, TRUE);
  with_nl = g_strconcat (text, "\n", NULL);
  return g_file_set_contents (path, with_nl, -1, error);
}

/**
 * evs_pipeline_find_filter:
 * @spec: `INDEX.param` or `TYPE.param` (the first filter of that type)
 * @param: (out): points into @spec at the parameter name
 *
 * Returns: (transfer none): the filter named by @spec
 */
EvsFilter *
evs_pipeline_find_filter (EvsPipeline  *self,
                          const char   *spec,
                          const char  **param,
                          GError      **error)
{
  const char *dot = strchr (spec, '.');
  g_autofree char *head = NULL;
  char *end = NULL;
  guint64 index;

  g_return_val_if_fail (EVS_IS_PIPELINE (self), NULL);

  if (dot == NULL || dot == spec || dot[1] == '\0')
    {
      g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                   "“%s”: expected FILTER.param, where FILTER is an index or a type", spec);
      return NULL;
    }
  head = g_strndup (spec, dot - spec);
  *param = dot + 1;

  index = g_ascii_strtoull (head, &end, 10);
  if (end != head && *end == '\0')
    {
      if (index >= self->filters->len)
        {
          g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
                       "“%s”: the pipeline has no filter %" G_GUINT64_FORMAT, spec, index);
          return NULL;
        }
      return g_ptr_array_index (self->filters, index);
    }

  for (guint i = 0; i < self->filters->len; i++)
    {
      EvsFilter *f = g_ptr_array_index (self->filters, i);

      if (g_str_equal (evs_filter_get_type_name (f), head))
        return f;
    }
  g_set_error (error, EVS_ERROR, EVS_ERROR_INVALID_ARGUMENT,
               "“%s”: the pipeline has no “%s” filter", spec, head);
  return NULL;
}
