// murmurhash3js ships no types; we only use the x86 32-bit hash (see hash.ts).
declare module 'murmurhash3js' {
  const murmur: { x86: { hash32(key: string, seed?: number): number } };
  export default murmur;
}
