/* One call from Python for what PDFium answers one char at a time.
 *
 * Through ctypes each PDFium call costs 0.3-0.4 us, and a PDF's parse asks two
 * questions of every char (has it a Unicode mapping? where is its origin?): a fifth
 * of the parse. This loop asks them in C. The PDFium functions come as addresses
 * from the caller (pypdfium2 has loaded the library), so nothing here is linked
 * against PDFium and no header is needed: processors/native.py builds it.
 */

typedef int (*has_unicode_map_error)(void *text_page, int index);
typedef int (*get_char_origin)(void *text_page, int index, double *x, double *y);

/* The index of the first char without a Unicode mapping, or -1 when every char has
 * one; then xs[i], ys[i] hold char i's origin (as FPDFText_GetCharOrigin gives it). */
int nianbao_char_origins(void *text_page, int count, has_unicode_map_error unmapped,
                         get_char_origin origin, double *xs, double *ys) {
    for (int i = 0; i < count; i++) {
        if (unmapped(text_page, i)) {
            return i;
        }
    }
    for (int i = 0; i < count; i++) {
        origin(text_page, i, xs + i, ys + i);
    }
    return -1;
}
