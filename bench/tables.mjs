// @ts-check
/** The benchmark's tables. */
import { CreateTableCommand, ResourceInUseException } from '@aws-sdk/client-dynamodb';

/**
 * An on-demand table with a string partition key `keyName`; one that exists already is used as it is.
 * @param {import('@aws-sdk/client-dynamodb').DynamoDBClient} client @param {string} name @param {string} keyName
 */
export async function createTable(client, name, keyName) {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        KeySchema: [{ AttributeName: keyName, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: keyName, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
}
