// unidecode@1.1.0 ships no type declarations.
declare module "unidecode" {
  export default function unidecode(text: string): string;
}
