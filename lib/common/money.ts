/**
 * Money as the kit prints it: `12.34 USD`. Never `$12.34`: Jupyter's HTML export and the notebook
 * page run MathJax over every output, and two dollar signs in one output typeset the text between
 * them as a formula.
 */
export function usd(amount: number): string {
  return `${amount.toFixed(2)} USD`;
}
