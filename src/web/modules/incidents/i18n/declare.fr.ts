/** The declare pages of the incidents module, in French: the reference. Filled by the pages that use them. */
export const declareFr = {};
