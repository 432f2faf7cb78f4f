import { MatrixFactorization, randomHoldout, syntheticInteractions } from "longtail";

const data = syntheticInteractions({ seed: 42 }); // a built-in world of 2,000 users × 3,000 items: no files
const { train, test } = randomHoldout(data, { testFraction: 0.2, seed: 42 });

const model = new MatrixFactorization({ loss: "softmax", logitAdjustment: 0.5, epochs: 10 });
await model.fit(train); // the wasm kernels load on first use, on every core
console.log(model.recommend("u0001", 5).items); // the user's top 5, training items left out
console.log(model.similarItems("i0042", 5).items); // the 5 items closest to one item
console.log(model.evaluate(train, test, { k: 20 }).metrics["recall@20"]);
model.dispose(); // frees the model's wasm memory
